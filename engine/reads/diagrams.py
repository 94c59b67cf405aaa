"""The deployed workflow models as the case page's diagram viewer reads them (models hold no personal data)."""
from engine.models import ModelVersion


def model_file(gl, version: str, name: str):
    """The source of one BPMN file of a deployed model version, or None when there is no such file."""
    if len(version) > 16 or not name.endswith(".bpmn"):
        return None
    with gl.reading() as session:
        if session.get(ModelVersion, version) is None:
            return None
        runtime = gl.runtime(session, version)
    return runtime.sources.get(name)
