"""The web app as the load benchmark serves it (``bench.wsgi``): the application plus one trivial page, the
yardstick every other page is measured against (``bench/load.py`` reports each as a ratio of it).

``GET /bench/trivial`` goes through everything a page does — the same app, middleware, session cookie,
user loader, CSRF machinery, the base layout with its navigation — and runs one query (the district's
open work items, counted through a read-only unit of work). It exists only in this benchmark app, never
in ``web.wsgi``.
"""
from pathlib import Path

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy import bindparam, func, select

from engine.models import WorkItem
from web import create_app
from web.extensions import gl

bp = Blueprint("bench", __name__)
_COUNT = select(func.count(WorkItem.id)).where(WorkItem.district_id == bindparam("district"))


@bp.route("/bench/trivial")
@login_required
def trivial():
    with gl().reading() as session:
        count = session.scalar(_COUNT, {"district": current_user.district_id})
    return render_template("bench_trivial.html", count=count)


def create_bench_app(config=None):
    app = create_app(config)
    app.jinja_loader = ChoiceLoader([app.jinja_loader, FileSystemLoader(str(Path(__file__).parent / "templates"))])
    app.register_blueprint(bp)
    return app

