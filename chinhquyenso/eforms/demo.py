"""Demo e-forms: one data file per online procedure of the seed catalogue (``eforms/data/<code>.json``).

Each file holds ``{"procedure": "<code>", "spec": {...}}``; sections written as ``{"use": "<name>"}``
come from ``data/_blocks.json``. Loading is idempotent: a form whose published spec equals the
file is left alone; a changed file becomes a new published version (old submissions keep theirs).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from django.db import transaction

from chinhquyenso.eforms.models import FormDefinition, VersionStatus

DATA_DIR = Path(__file__).resolve().parent / "data"


def _blocks() -> dict:
    return json.loads((DATA_DIR / "_blocks.json").read_text(encoding="utf-8"))["sections"]


def expand(spec: dict, blocks: dict | None = None) -> dict:
    """Replace ``{"use": name, ...overrides}`` sections by the shared block."""
    blocks = _blocks() if blocks is None else blocks
    spec = copy.deepcopy(spec)
    sections = []
    for section in spec["sections"]:
        if "use" in section:
            block = copy.deepcopy(blocks[section["use"]])
            block.update({k: v for k, v in section.items() if k != "use"})
            section = block
        sections.append(section)
    spec["sections"] = sections
    return spec


def form_files() -> list[Path]:
    return sorted(p for p in DATA_DIR.glob("*.json") if not p.name.startswith("_"))


def read_form_file(path: Path, blocks: dict | None = None) -> tuple[str, dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["procedure"], expand(data["spec"], blocks)


@transaction.atomic
def form_load(*, procedure, spec: dict) -> str:
    """Make ``spec`` the published form of ``procedure``; returns "created" / "updated" / "unchanged"."""
    from chinhquyenso.eforms import services

    definition = FormDefinition.objects.filter(procedure=procedure).select_related("current_version").first()
    if definition is not None and definition.current_version and definition.current_version.spec == spec:
        return "unchanged"
    outcome = "updated" if definition is not None else "created"
    if definition is not None and definition.versions.filter(status=VersionStatus.DRAFT,
                                                             created_by__isnull=False).exists():
        return "unchanged"  # an administrator is editing this form: the demo does not overwrite it
    if definition is None:
        definition = services.form_definition_create(procedure=procedure, spec=spec)
    draft = services.form_version_draft_for(definition=definition)
    services.form_version_save_spec(version=draft, spec=spec, operation="demo_load")
    services.form_version_publish(version=draft, change_note="Dữ liệu mẫu")
    return outcome


def load(*, log) -> None:
    from chinhquyenso.catalog.models import Procedure

    blocks = _blocks()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    missing = []
    for path in form_files():
        code, spec = read_form_file(path, blocks)
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is None:
            missing.append(code)
            continue
        counts[form_load(procedure=procedure, spec=spec)] += 1
    drafts = FormDefinition.objects.filter(versions__status=VersionStatus.DRAFT).count()
    log(f"Biểu mẫu điện tử: {sum(counts.values())} biểu mẫu ({counts['created']} mới, {counts['updated']} cập nhật)"
        + (f"; bỏ qua {len(missing)} tệp không có thủ tục: {', '.join(missing)}" if missing else "")
        + (f"; {drafts} bản nháp đang sửa" if drafts else "") + ".")
