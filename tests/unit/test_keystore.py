"""The signing key store: created on first use, private, shared safely, rotatable."""

import stat
import threading

from academy.domain.data_integrity import public_bytes
from academy.keystore import PRIVATE_FILE, PUBLIC_FILE, KeyStore


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_the_first_use_creates_a_private_key_only_its_owner_can_read(tmp_path):
    store = KeyStore(tmp_path / "keys")
    assert store.published() == []
    key = store.signing_key()
    assert key.key_id.startswith("z6Mk")
    assert mode(tmp_path / "keys") == 0o700
    assert mode(tmp_path / "keys" / PRIVATE_FILE) == 0o600
    assert mode(tmp_path / "keys" / PUBLIC_FILE) == 0o600
    [published] = store.published()
    assert published.key_id == key.key_id and published.retired is None
    assert public_bytes(published.public_key) == public_bytes(key.private_key.public_key())


def test_the_same_key_is_used_until_it_is_rotated(tmp_path):
    first = KeyStore(tmp_path).signing_key()
    assert KeyStore(tmp_path).signing_key().key_id == first.key_id


def test_rotation_retires_the_old_key_but_keeps_it_published(tmp_path):
    store = KeyStore(tmp_path)
    old = store.signing_key().key_id
    retired, new = store.rotate()
    assert retired == old and new != old
    assert store.signing_key().key_id == new
    keys = {k.key_id: k for k in store.published()}
    assert keys[old].retired is not None and keys[new].retired is None
    assert store.public_key(old) is not None and store.public_key("z6MkUnknown") is None
    assert old.encode() not in (tmp_path / PRIVATE_FILE).read_bytes()


def test_processes_starting_together_agree_on_one_key(tmp_path):
    found = []
    threads = [threading.Thread(target=lambda: found.append(KeyStore(tmp_path).signing_key().key_id))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(found)) == 1
    assert len(KeyStore(tmp_path).published()) == 1


def test_a_key_file_left_readable_by_others_is_locked_down(tmp_path):
    store = KeyStore(tmp_path)
    store.signing_key()
    (tmp_path / PRIVATE_FILE).chmod(0o644)
    store.signing_key()
    assert mode(tmp_path / PRIVATE_FILE) == 0o600
