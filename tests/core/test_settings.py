import pytest
from django.core.exceptions import ImproperlyConfigured

from chinhquyenso import conf


def test_storage_url_local_and_s3(tmp_path):
    local = conf.storages_from_url(f"file://{tmp_path}/media")
    assert local["BACKEND"].endswith("FileSystemStorage") and local["OPTIONS"]["location"] == f"{tmp_path}/media"
    s3 = conf.storages_from_url("s3://ho-so/prod?endpoint_url=http://minio:9000&region=ap-southeast-1")
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    assert s3["OPTIONS"]["bucket_name"] == "ho-so" and s3["OPTIONS"]["location"] == "prod"
    assert s3["OPTIONS"]["endpoint_url"] == "http://minio:9000" and s3["OPTIONS"]["region_name"] == "ap-southeast-1"
    with pytest.raises(ImproperlyConfigured):
        conf.storages_from_url("ftp://x")


def test_bad_boolean_and_integer_settings_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured):
        conf.env_bool("X_BOOL", False)
    with pytest.raises(ImproperlyConfigured):
        conf.env_int("X_INT", 1)


def test_secret_key_is_generated_once_for_the_demo_and_required_in_production(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = conf.get_secret_key(production=False, var=tmp_path)
    assert first == conf.get_secret_key(production=False, var=tmp_path) and len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    with pytest.raises(ImproperlyConfigured):
        conf.get_secret_key(production=True, var=tmp_path)
    secret_file = tmp_path / "s"
    secret_file.write_text("from-a-file\n")
    monkeypatch.setenv("SECRET_KEY_FILE", str(secret_file))
    assert conf.get_secret_key(production=True, var=tmp_path) == "from-a-file"
