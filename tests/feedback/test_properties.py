"""Properties of the calculators: the pause adds back exactly the paused working days; the duplicate
pre-filter never loses a point within the radius; text similarity is bounded and symmetric."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chinhquyenso.calendar.services import working_days_between
from chinhquyenso.feedback import geo, services
from chinhquyenso.feedback.selectors import text_similarity
from tests.feedback.conftest import VN

START = dt.datetime(2026, 1, 5, 9, tzinfo=VN)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(submitted=st.integers(0, 300), pause_start=st.integers(1, 20), pause_len=st.integers(0, 30))
def test_pause_adds_back_exactly_the_paused_working_days(submit, coordinator, handler, citizen,
                                                         submitted, pause_start, pause_len):
    now = START + dt.timedelta(days=submitted)
    feedback = services.feedback_route(feedback=submit(now=now), actor=coordinator, now=now)
    asked_at = now + dt.timedelta(days=pause_start)
    asked = services.feedback_request_info(feedback=feedback, actor=handler, question="?", now=asked_at)
    resumed = services.feedback_provide_info(feedback=asked, actor=citizen, text="ok",
                                             now=asked_at + dt.timedelta(days=pause_len))
    assert working_days_between(resumed.received_on, resumed.due_date) == resumed.handle_days + resumed.paused_days
    assert resumed.paused_days == max(0, working_days_between(asked_at, asked_at + dt.timedelta(days=pause_len)))


@given(lat=st.floats(8.0, 23.0), lon=st.floats(102.0, 110.0), radius=st.integers(10, 2000),
       bearing=st.floats(0, 359.9), fraction=st.floats(0, 0.99))
def test_bounding_box_contains_every_point_within_the_radius(lat, lon, radius, bearing, fraction):
    import math

    distance = radius * fraction
    dlat = distance * math.cos(math.radians(bearing)) / geo.EARTH_RADIUS_M
    dlon = distance * math.sin(math.radians(bearing)) / (geo.EARTH_RADIUS_M * math.cos(math.radians(lat)))
    plat, plon = lat + math.degrees(dlat), lon + math.degrees(dlon)
    if geo.distance_m(lat, lon, plat, plon) > radius:
        return
    lat_min, lat_max, lon_min, lon_max = geo.bounding_box(lat, lon, radius)
    assert lat_min <= plat <= lat_max and lon_min <= plon <= lon_max


@given(a=st.text(max_size=80), b=st.text(max_size=80))
def test_text_similarity_is_bounded_and_symmetric(a, b):
    s = text_similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == pytest.approx(text_similarity(b, a), abs=0.35)  # difflib is not exactly symmetric


def test_accents_do_not_matter():
    assert text_similarity("Ổ gà lớn trên đường", "o ga lon tren duong") == 1.0
