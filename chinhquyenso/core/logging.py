"""A log filter that masks personal data (CCCD numbers, phone numbers, e-mail local parts)."""

from __future__ import annotations

import logging

from chinhquyenso.core.masking import mask_text


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            try:
                record.msg = record.getMessage()
                record.args = None
            except (TypeError, ValueError):
                return True
        if isinstance(record.msg, str):
            record.msg = mask_text(record.msg)
        return True
