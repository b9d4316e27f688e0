"""/api/customers and /api/items: an organization's catalogue, CRUD for editors and above."""

# No `from __future__ import annotations`: the handlers are made by a factory, which sets their
# body types on `__annotations__` for FastAPI to read.

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from server.auth.service import Caller, Capability, acting_member, can, memberships
from server.catalog import schemas
from server.catalog import service as catalog
from server.catalog.models import Customer, Item
from server.catalog.service import CUSTOMER_FIELDS, ITEM_FIELDS, Record
from server.core.api import Ctx, errors
from server.core.errors import Forbidden

Check = Callable[[Mapping[str, str]], None]

router = APIRouter(tags=["catalogue"], responses=errors(401))


def _resource(
    model: type[Record],
    fields: tuple[str, ...],
    check: Check,
    *,
    create_body: type[BaseModel],
    patch_body: type[BaseModel],
    out: type[BaseModel],
    listing_out: type[BaseModel],
) -> None:
    name = model.__tablename__
    noun = name[:-1]

    async def listing(
        caller: Caller, ctx: Ctx, query: Annotated[schemas.CatalogQuery, Query()]
    ) -> Any:
        async with ctx.sessions() as db:
            org_ids = [
                m.org_id
                for m in await memberships(db, caller.user_id)
                if can(m.role, Capability.INVOICE_READ) and query.org in (None, m.org_id)
            ]
            found = await catalog.search(db, model, org_ids=org_ids, text=query.q, limit=200)
        return {"items": [catalog.as_json(r, fields) for r in found]}

    async def create(caller: Caller, ctx: Ctx, body: BaseModel) -> Any:
        values = body.model_dump(exclude_none=True)
        org = values.pop("org", None)
        check(values)
        async with catalog.external_id_guard(), ctx.sessions.begin() as db:
            member = await acting_member(
                db, caller.user_id, org, Capability.INVOICE_CREATE, "change the catalogue"
            )
            if name == "customers":
                await catalog.claim_external_id(
                    db, org_id=member.org_id, values=values, record_id=None
                )
            record = await catalog.create(db, model, org_id=member.org_id, values=values)
        return catalog.as_json(record, fields)

    async def read(caller: Caller, ctx: Ctx, record_id: str) -> Any:
        async with ctx.sessions() as db:
            record, _ = await catalog.visible(
                db, model, user_id=caller.user_id, record_id=record_id
            )
            return catalog.as_json(record, fields)

    async def change(caller: Caller, ctx: Ctx, record_id: str, body: BaseModel) -> Any:
        values = body.model_dump(exclude_none=True)
        async with catalog.external_id_guard(), ctx.sessions.begin() as db:
            record, member = await catalog.visible(
                db, model, user_id=caller.user_id, record_id=record_id
            )
            if not member.can(Capability.INVOICE_CREATE):
                raise Forbidden(f"a {member.role} cannot change the catalogue")
            check({**catalog.as_json(record, fields), **values})
            if name == "customers":
                await catalog.claim_external_id(
                    db, org_id=record.org_id, values=values, record_id=record.id
                )
            for key, value in values.items():
                setattr(record, key, value)
            return catalog.as_json(record, fields)

    async def remove(caller: Caller, ctx: Ctx, record_id: str) -> Response:
        async with ctx.sessions.begin() as db:
            record, member = await catalog.visible(
                db, model, user_id=caller.user_id, record_id=record_id
            )
            if not member.can(Capability.INVOICE_CREATE):
                raise Forbidden(f"a {member.role} cannot change the catalogue")
            await db.delete(record)
        return Response(status_code=204)

    # The body models differ per resource: FastAPI reads them from the annotations.
    create.__annotations__["body"] = create_body
    change.__annotations__["body"] = patch_body
    base, one = f"/api/{name}", f"/api/{name}/{{record_id}}"
    router.add_api_route(
        base,
        listing,
        methods=["GET"],
        response_model=listing_out,
        responses=errors(400),
        summary=f"The {name} of the caller's organizations, by name",
    )
    router.add_api_route(
        base,
        create,
        methods=["POST"],
        status_code=201,
        response_model=out,
        responses=errors(400, 403, 404, 409),  # 404: `org` is not the caller's; 409: external id
        summary=f"Add a {noun} (editors, approvers, admins)",
    )
    router.add_api_route(
        one, read, methods=["GET"], response_model=out, responses=errors(404), summary=f"One {noun}"
    )
    router.add_api_route(
        one,
        change,
        methods=["PATCH"],
        response_model=out,
        responses=errors(400, 403, 404, 409),
        summary=f"Change some fields of a {noun}",
    )
    router.add_api_route(
        one,
        remove,
        methods=["DELETE"],
        status_code=204,
        response_class=Response,
        responses=errors(403, 404),
        summary=f"Remove a {noun}",
    )


_resource(
    Customer,
    CUSTOMER_FIELDS,
    catalog.check_customer,
    create_body=schemas.CustomerCreate,
    patch_body=schemas.CustomerPatch,
    out=schemas.Customer,
    listing_out=schemas.Customers,
)
_resource(
    Item,
    ITEM_FIELDS,
    catalog.check_item,
    create_body=schemas.ItemCreate,
    patch_body=schemas.ItemPatch,
    out=schemas.Item,
    listing_out=schemas.Items,
)
