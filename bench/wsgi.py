"""WSGI entry point of the load benchmark: ``gunicorn 'bench.wsgi:app'`` (the app and its trivial page)."""
from bench.trivial import create_bench_app

app = create_bench_app()
