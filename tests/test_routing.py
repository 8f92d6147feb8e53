"""The API's routers are matched busiest first (main.create_app): safe only while no two answer the same request."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from starlette.routing import compile_path

from hocso.main import create_app


def test_no_two_routers_answer_the_same_method_and_path(settings, engine):
    app = create_app(settings, engine)
    routes = []  # (path, methods, which router)
    for included in app.routes:
        router = getattr(included, "original_router", None)
        if router is None:
            continue
        prefix = included.include_context.prefix
        routes += [(prefix + r.path, r.methods, id(router)) for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) > 50  # every API route was found
    clashes = []
    for path, methods, router in routes:
        # The route's own path with each parameter filled by values real requests send (a slug, a number, "me").
        for value in ("qr-basics", "1", "me", "search", "VN"):
            sample = re.sub(r"\{[^}]+\}", value, path)
            for other, other_methods, other_router in routes:
                if other_router != router and methods & other_methods and compile_path(other)[0].match(sample):
                    clashes.append((sorted(methods), path, other))
    assert clashes == []
