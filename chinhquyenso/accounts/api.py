from __future__ import annotations

from ninja import Router, Schema

from chinhquyenso.accounts.selectors import role_scopes, roles_of

router = Router(tags=["Tài khoản"])


class RoleOut(Schema):
    role: str
    unit_id: int


class MeOut(Schema):
    username: str
    full_name: str
    kind: str
    roles: list[str]
    assignments: list[RoleOut]


@router.get("/me", response=MeOut, summary="Tài khoản đang đăng nhập và vai trò")
def me(request):
    user = request.user
    return MeOut(
        username=user.username, full_name=user.full_name, kind=user.kind, roles=sorted(roles_of(user)),
        assignments=[RoleOut(role=s.role, unit_id=s.unit_id) for s in role_scopes(user)],
    )
