"""Public read API over the catalogue (``/api/v1/catalog/``): search, detail by code, fields, fee
quotes and the catalogue metrics. No login needed; errors are ``{"code", "message", "field"}``."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from ninja import Query, Router, Schema

from chinhquyenso.catalog import eforms_bridge, selectors
from chinhquyenso.catalog.exchange import terms_record
from chinhquyenso.catalog.fees import fee_quote
from chinhquyenso.catalog.models import DocumentForm

router = Router(tags=["Danh mục thủ tục hành chính"])


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class FieldOut(Schema):
    code: str
    name: str
    active_count: int = 0


class FieldRef(Schema):
    code: str
    name: str


class ProcedureSummary(Schema):
    code: str
    name: str
    field: FieldRef
    levels: list[str]
    online_level: str
    processing_days: int | None = None
    day_kind: str | None = None
    has_eform: bool
    status: str
    url: str


class ProcedurePage(Schema):
    items: list[ProcedureSummary]
    total: int
    page: int
    page_size: int
    num_pages: int


class FeeRuleOut(Schema):
    code: str
    label: str
    kind: str
    amount_vnd: int | None = None
    unit_label: str
    tier_mode: str
    tiers: list[dict]
    max_vnd: int | None = None
    exempt_categories: list[str]
    conditional: bool
    condition_note: str


class TermsOut(Schema):
    effective_from: dt.date
    processing_days: int | None = None
    day_kind: str
    processing_note: str
    fee_note: str
    basis: str
    fee_rules: list[FeeRuleOut]


class AgencyOut(Schema):
    identifier_code: str
    name: str
    unit_code: str


class DocumentOut(Schema):
    name: str
    form: str
    form_label: str
    count: int
    requirement: str
    condition_note: str
    template_name: str
    template_url: str | None = None


class ResultOut(Schema):
    name: str
    note: str


class LegalBasisOut(Schema):
    title: str
    url: str


class EformOut(Schema):
    published: bool
    version_id: int | None = None
    fill_url: str | None = None


class ProcedureDetail(Schema):
    code: str
    code_is_national: bool
    name: str
    field: FieldRef
    levels: list[str]
    level_since_2025_07: str
    agencies: list[AgencyOut]
    agency_text: str
    online_level: str
    online_level_confirmed: bool
    channels: list[str]
    submission_note: str
    applicants: str
    note: str
    status: str
    confirmed: bool
    source_note: str
    sources: list[str]
    required_documents: list[DocumentOut]
    result_documents: list[ResultOut]
    legal_basis: list[LegalBasisOut]
    terms_in_force: TermsOut | None = None
    terms_versions: list[TermsOut]
    eform: EformOut
    url: str


class SearchParams(Schema):
    q: str | None = None
    field: str | None = None
    level: str | None = None
    agency: str | None = None
    online_level: str | None = None
    page: int = 1
    page_size: int = selectors.PAGE_SIZE


class FeeLineOut(Schema):
    code: str
    label: str
    quantity: int
    amount_vnd: int
    exempted_by: str | None = None
    unknown: bool
    capped: bool


class FeeQuoteOut(Schema):
    procedure: str
    effective_from: dt.date | None = None
    lines: list[FeeLineOut]
    total_vnd: int
    complete: bool
    notes: list[str]


class CoverageOut(Schema):
    online_total: int
    with_eform: int
    share: float | None = None


class StatsOut(Schema):
    by_online_level: dict[str, int]
    eform_coverage: CoverageOut


def _page_url(code: str) -> str:
    return reverse("catalog:detail", args=[code])


@router.get("/procedures", response={200: ProcedurePage, 400: ErrorOut}, auth=None,
            summary="Tìm thủ tục hành chính",
            description="Tìm không dấu hoặc có dấu theo tên (khớp đúng tên trước, rồi đầu tên, rồi cụm từ) hoặc theo "
                        "mã (“1.001193”); lọc theo lĩnh vực (mã), cấp (province/district/commune), cơ quan (mã định "
                        "danh QCVN 102), mức độ DVC trực tuyến (full/partial/none/online).")
def list_procedures(request, params: Query[SearchParams]):
    page = selectors.procedure_search(q=params.q, field=params.field, level=params.level, agency=params.agency,
                                      online_level=params.online_level, page=params.page,
                                      page_size=params.page_size)
    published = eforms_bridge.procedures_with_published_form_ids()
    items = []
    for p in page.items:
        terms = selectors.terms_in_force(p)
        items.append(ProcedureSummary(
            code=p.code, name=p.name, field=FieldRef(code=p.field.code, name=p.field.name), levels=p.levels,
            online_level=p.online_level, processing_days=terms.processing_days if terms else None,
            day_kind=terms.day_kind if terms else None, has_eform=p.pk in published, status=p.status,
            url=_page_url(p.code)))
    return ProcedurePage(items=items, total=page.total, page=page.page, page_size=page.page_size,
                         num_pages=page.num_pages)


@router.get("/procedures/{code}", response={200: ProcedureDetail, 404: ErrorOut}, auth=None,
            summary="Chi tiết một thủ tục theo mã")
def get_procedure(request, code: str):
    p = selectors.procedure_get(code=code)
    terms_in_force = selectors.terms_in_force(p)
    version = eforms_bridge.current_form_version(p)
    published = selectors.has_published_form(p)
    return ProcedureDetail(
        code=p.code, code_is_national=p.code_is_national, name=p.name,
        field=FieldRef(code=p.field.code, name=p.field.name), levels=p.levels,
        level_since_2025_07=p.level_since_2025_07,
        agencies=[AgencyOut(identifier_code=a.identifier_code, name=a.name, unit_code=a.unit.code)
                  for a in p.agencies.all()],
        agency_text=p.agency_text, online_level=p.online_level, online_level_confirmed=p.online_level_confirmed,
        channels=p.channels, submission_note=p.submission_note, applicants=p.applicants, note=p.note,
        status=p.status, confirmed=p.confirmed, source_note=p.source_note, sources=list(p.sources or []),
        required_documents=[DocumentOut(
            name=d.name, form=d.form, form_label=str(DocumentForm(d.form).label), count=d.count,
            requirement=d.requirement, condition_note=d.condition_note, template_name=d.template_name,
            template_url=reverse("catalog:template_download", args=[d.template_id]) if d.template_id else None)
            for d in p.required_documents.all()],
        result_documents=[ResultOut(name=r.name, note=r.note) for r in p.result_documents.all()],
        legal_basis=[LegalBasisOut(title=b.title, url=b.url) for b in p.legal_basis.all()],
        terms_in_force=terms_record(terms_in_force) if terms_in_force else None,
        terms_versions=[terms_record(t) for t in sorted(p.terms.all(), key=lambda t: t.effective_from)],
        eform=EformOut(published=published, version_id=getattr(version, "pk", None),
                       fill_url=eforms_bridge.eform_url("eforms:fill", p) if published else None),
        url=_page_url(p.code),
    )


@router.get("/procedures/{code}/fee-quote", response={200: FeeQuoteOut, 400: ErrorOut, 404: ErrorOut}, auth=None,
            summary="Tính phí, lệ phí",
            description="Số tiền (đồng) theo phiên bản áp dụng ngày `on` (mặc định hôm nay). `quantity`: số trang, "
                        "số bản, số phòng… cho khoản thu theo đơn vị hoặc theo bậc; `exemptions`: đối tượng miễn "
                        "(poor_household, meritorious, disabled…); `include`: mã các khoản thu có điều kiện cần tính. "
                        "`complete=false` khi có khoản chưa nhập mức thu (theo nghị quyết HĐND).")
def get_fee_quote(request, code: str, quantity: int = 1, on: dt.date | None = None,
                  exemptions: list[str] = Query([]), include: list[str] = Query([])):  # noqa: B008
    p = selectors.procedure_get(code=code)
    quote = fee_quote(p, on=on, quantity=quantity, exemptions=exemptions, include=include)
    return FeeQuoteOut(procedure=p.code, effective_from=quote.effective_from, total_vnd=quote.total_vnd,
                       complete=quote.complete, notes=list(quote.notes),
                       lines=[FeeLineOut(**line.__dict__) for line in quote.lines])


@router.get("/fields", response=list[FieldOut], auth=None, summary="Danh sách lĩnh vực")
def list_fields(request):
    return [FieldOut(code=f.code, name=f.name, active_count=f.active_count)
            for f in selectors.field_list(with_counts=True)]


@router.get("/stats", response=StatsOut, auth=None, summary="Số thủ tục theo mức độ DVC trực tuyến, tỷ lệ có "
            "biểu mẫu điện tử")
def stats(request):
    coverage = selectors.eform_coverage()
    return StatsOut(by_online_level=selectors.procedure_counts_by_online_level(),
                    eform_coverage=CoverageOut(online_total=coverage.online_total, with_eform=coverage.with_eform,
                                               share=coverage.share))

