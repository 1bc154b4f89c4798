from __future__ import annotations

from chinhquyenso.portal.selectors import site_info


def site(request):
    return {"site": site_info()}
