"""/api/customers and /api/items: an organization's catalogue, CRUD for editors and above."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.auth.access import json_body, principal
from server.auth.accounts import acting_member, memberships
from server.auth.permissions import Capability, can
from server.catalog import service as catalog
from server.catalog.models import Customer, Item
from server.catalog.service import CUSTOMER_FIELDS, ITEM_FIELDS, Record, TextField
from server.core.api import ctx_of
from server.core.errors import BadRequest, Forbidden

Check = Callable[[Mapping[str, str]], None]


def _resource(model: type[Record], fields: dict[str, TextField], check: Check) -> list[Route]:
    name = model.__tablename__

    async def listing(request: Request) -> JSONResponse:
        claims = principal(request)
        org = request.query_params.get("org")
        async with ctx_of(request).sessions() as db:
            org_ids = [
                m.org_id
                for m in await memberships(db, claims.user_id)
                if can(m.role, Capability.INVOICE_READ) and (org is None or m.org_id == org)
            ]
            found = await catalog.search(
                db, model, org_ids=org_ids, text=request.query_params.get("q"), limit=200
            )
        return JSONResponse({"items": [catalog.as_json(r, fields) for r in found]})

    async def create(request: Request) -> JSONResponse:
        claims = principal(request)
        data = await json_body(request)
        org = data.pop("org", None)
        if org is not None and not isinstance(org, str):
            raise BadRequest("`org` must be a string")
        values = catalog.clean(data, fields, partial=False)
        check(values)
        async with ctx_of(request).sessions.begin() as db:
            member = await acting_member(
                db,
                claims.user_id,
                org,
                Capability.INVOICE_CREATE,
                "change the catalogue",
            )
            record = await catalog.create(db, model, org_id=member.org_id, values=values)
        return JSONResponse(catalog.as_json(record, fields), status_code=201)

    async def one(request: Request) -> Response:
        claims = principal(request)
        record_id = request.path_params["record_id"]
        async with ctx_of(request).sessions.begin() as db:
            record, member = await catalog.visible(
                db, model, user_id=claims.user_id, record_id=record_id
            )
            if request.method == "GET":
                return JSONResponse(catalog.as_json(record, fields))
            if not can(member.role, Capability.INVOICE_CREATE):
                raise Forbidden(f"a {member.role} cannot change the catalogue")
            if request.method == "DELETE":
                await db.delete(record)
                return Response(status_code=204)
            values = catalog.clean(await json_body(request), fields, partial=True)
            check({**catalog.as_json(record, fields), **values})
            for key, value in values.items():
                setattr(record, key, value)
            return JSONResponse(catalog.as_json(record, fields))

    return [
        Route(f"/api/{name}", listing, methods=["GET"]),
        Route(f"/api/{name}", create, methods=["POST"]),
        Route(f"/api/{name}/{{record_id}}", one, methods=["GET", "PATCH", "DELETE"]),
    ]


routes = [
    *_resource(Customer, CUSTOMER_FIELDS, catalog.check_customer),
    *_resource(Item, ITEM_FIELDS, catalog.check_item),
]
