import pytest


@pytest.mark.django_db
def test_openapi_is_published_and_the_docs_page_uses_no_cdn(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert any(p.startswith("/api/v1/dossiers/") for p in paths)
    assert any(p.startswith("/api/v1/catalog/") for p in paths)
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn." not in html and "jsdelivr" not in html and "/static/ninja/" in html
