"""Idempotency under parallel retries on PostgreSQL: threads post one Idempotency-Key at the same instant
(a barrier) through the application, and exactly one clue exists."""
import threading

import pytest
from sqlalchemy import func, select

from engine.models import ApiIdempotencyKey, RiskClue

from .conftest import BASE_CLUE

pytestmark = pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)],
                                     indirect=True)
RACERS = 8


def _race(app, token, bodies):
    barrier = threading.Barrier(len(bodies))
    results = [None] * len(bodies)

    def post(index, body):
        client = app.test_client()
        barrier.wait(timeout=30)
        response = client.post("/api/v1/clues", json=body,
                               headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "retry-me"})
        results[index] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=post, args=(i, body)) for i, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _clues(gl):
    with gl.reading() as s:
        return s.scalar(select(func.count(RiskClue.id)))


def test_parallel_retries_of_one_request_make_one_clue(app, gl, register):
    school = register()
    results = _race(app, school.token, [BASE_CLUE] * RACERS)
    statuses = [status for status, _ in results]
    assert statuses == [201] * RACERS, results
    assert len({body["id"] for _, body in results}) == 1
    assert _clues(gl) == 1
    with gl.reading() as s:
        keys = s.scalars(select(ApiIdempotencyKey)).all()
        assert [(k.key, k.clue_id) for k in keys] == [("retry-me", results[0][1]["id"])]


def test_parallel_requests_with_one_key_and_different_bodies_make_one_clue(app, gl, register):
    school = register()
    bodies = [{**BASE_CLUE, "description": f"第 {i} 个版本"} for i in range(RACERS)]
    results = _race(app, school.token, bodies)
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [422] * (RACERS - 1), results
    assert _clues(gl) == 1
    winner = next(i for i, (status, _) in enumerate(results) if status == 201)
    with gl.reading() as s:   # the clue is the winner's body, not a loser's
        assert s.scalars(select(RiskClue.description)).one() == bodies[winner]["description"]
    assert all(body["type"] == "urn:guardloop:problem:idempotency-key-reused"
               for status, body in results if status == 422)
