"""The routers of the production side of the chain (resources, productions, scripts), mounted by app.py in
one place each."""

from __future__ import annotations

from fastapi import APIRouter


def page_routers() -> list[APIRouter]:
    from avbase.chain.production import pages as production_pages
    from avbase.chain.resources import pages as resources_pages
    from avbase.chain.scripts import pages as scripts_pages

    return [resources_pages.router, production_pages.router, scripts_pages.router]


def api_routers() -> list[APIRouter]:
    from avbase.chain.production import api as production_api
    from avbase.chain.resources import api as resources_api
    from avbase.chain.scripts import api as scripts_api

    return [resources_api.router, production_api.router, scripts_api.router]
