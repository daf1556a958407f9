"""am_auth: credentials read once from real files and variables, never shown."""

from __future__ import annotations

import base64
import ssl

import pytest
import trustme

from penguin_tui.alerts.am_auth import (
    CredentialError,
    Credentials,
    load_credentials,
    tls_verify,
)
from penguin_tui.config_model import AlertmanagerConfig

SECRET = "s3cr3t-Pa55"


def test_no_credentials():
    creds = load_credentials(AlertmanagerConfig(urls=("http://am",)), environ={})
    assert creds.headers() == {}
    assert creds.kind == ""


def test_basic_auth_from_a_file(tmp_path):
    f = tmp_path / "pw"
    f.write_text(SECRET + "\n")  # the newline `echo` adds is not part of it
    creds = load_credentials(AlertmanagerConfig(username="ops", password_file=f), environ={})
    expected = "Basic " + base64.b64encode(f"ops:{SECRET}".encode()).decode()
    assert creds.headers() == {"Authorization": expected}
    assert creds.kind == "basic"
    assert SECRET not in repr(creds) and expected not in repr(creds)
    assert SECRET not in str(creds)


def test_basic_auth_from_the_environment():
    config = AlertmanagerConfig(username="ops", password_env="AM_PW")
    creds = load_credentials(config, environ={"AM_PW": SECRET})
    assert base64.b64decode(creds.headers()["Authorization"][6:]).decode() == f"ops:{SECRET}"


def test_bearer_from_file_and_environment(tmp_path):
    f = tmp_path / "token"
    f.write_text(f"  {SECRET}\n")
    by_file = load_credentials(AlertmanagerConfig(bearer_token_file=f), environ={})
    by_env = load_credentials(AlertmanagerConfig(bearer_token_env="TOK"), environ={"TOK": SECRET})
    assert by_file.headers() == by_env.headers() == {"Authorization": f"Bearer {SECRET}"}
    assert repr(by_file) == "Credentials(kind='bearer')"


def test_missing_file_names_the_file(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(CredentialError) as err:
        load_credentials(AlertmanagerConfig(username="u", password_file=missing), environ={})
    assert str(missing) in str(err.value)
    assert "password_file" in str(err.value)
    assert "No such file" in str(err.value)


def test_unreadable_file_names_the_file(tmp_path):
    # A directory where the token file should be: unreadable as a file, even for root.
    with pytest.raises(CredentialError) as err:
        load_credentials(AlertmanagerConfig(bearer_token_file=tmp_path), environ={})
    assert f"bearer_token_file: cannot read {tmp_path}: Is a directory" in str(err.value)


def test_multi_line_or_empty_file_is_refused_without_quoting_it(tmp_path):
    f = tmp_path / "token"
    f.write_text(f"{SECRET}\nsecond line\n")
    with pytest.raises(CredentialError, match="more than one line") as err:
        load_credentials(AlertmanagerConfig(bearer_token_file=f), environ={})
    assert SECRET not in str(err.value)
    f.write_text("\n")
    with pytest.raises(CredentialError, match="is empty"):
        load_credentials(AlertmanagerConfig(bearer_token_file=f), environ={})


def test_missing_variable_is_named():
    with pytest.raises(CredentialError, match="environment variable AM_TOKEN is not set"):
        load_credentials(AlertmanagerConfig(bearer_token_env="AM_TOKEN"), environ={})


def test_both_kinds_is_an_error():
    config = AlertmanagerConfig(username="u", password_env="P", bearer_token_env="T")
    with pytest.raises(CredentialError, match="use one"):
        load_credentials(config, environ={"P": "p", "T": "t"})


def test_credentials_repr_for_none():
    assert repr(Credentials()) == "Credentials(kind='none')"


def test_tls_verify(tmp_path):
    assert tls_verify(AlertmanagerConfig(verify_tls=False)) is False
    ca = trustme.CA()
    pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    ctx = tls_verify(AlertmanagerConfig(ca_file=pem))
    assert isinstance(ctx, ssl.SSLContext)
    assert ctx.cert_store_stats()["x509_ca"] >= 1
    with pytest.raises(CredentialError, match=r"ca_file: .* does not exist"):
        tls_verify(AlertmanagerConfig(ca_file=tmp_path / "missing.pem"))
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    with pytest.raises(CredentialError, match="holds no PEM certificate"):
        tls_verify(AlertmanagerConfig(ca_file=junk))
