from django.conf import settings

from chinhquyenso.units.services import locality_load


def load(*, log) -> None:
    stats = locality_load(path=settings.LOCALITY_FILE)
    log(f"Địa bàn: {stats['units_created'] + stats['units_updated']} đơn vị, "
        f"{stats['agencies_created'] + stats['agencies_updated']} cơ quan, {stats['boundaries']} ranh giới.")
