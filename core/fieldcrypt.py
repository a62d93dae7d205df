"""Authenticated encryption of personal-data values, tagged with cipher and key id so keys can rotate."""

from __future__ import annotations

import base64
import binascii
import os
import re
from functools import lru_cache
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12
TAG_BYTES = 16
# cipher:key id:base64(nonce | ciphertext | tag); a plaintext ID number, phone or address never looks like this.
STORED = re.compile(
    r"^(?P<cipher>[a-z0-9-]+):(?P<key_id>[A-Za-z0-9_-]{1,16}):(?P<payload>[A-Za-z0-9_-]+={0,2})$"
)


class FieldDecryptionError(Exception):
    """A stored value that cannot be decrypted: tampered with, cut short, or under a key this server lacks."""


class FieldCipher(Protocol):
    """An AEAD cipher: the tag authenticates the ciphertext and the associated data (the column it belongs to)."""

    def encrypt(self, key: bytes, nonce: bytes, plaintext: bytes, associated: bytes) -> bytes: ...

    def decrypt(self, key: bytes, nonce: bytes, sealed: bytes, associated: bytes) -> bytes: ...


class AesGcm:
    """AES-256-GCM, the default."""

    def encrypt(self, key: bytes, nonce: bytes, plaintext: bytes, associated: bytes) -> bytes:
        return _aesgcm(key).encrypt(nonce, plaintext, associated)

    def decrypt(self, key: bytes, nonce: bytes, sealed: bytes, associated: bytes) -> bytes:
        return _aesgcm(key).decrypt(nonce, sealed, associated)


class Sm4Gcm:
    """SM4-GCM (GB/T 32907), for deployments whose assessment requires the national algorithm."""

    def encrypt(self, key: bytes, nonce: bytes, plaintext: bytes, associated: bytes) -> bytes:
        encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(associated)
        return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag

    def decrypt(self, key: bytes, nonce: bytes, sealed: bytes, associated: bytes) -> bytes:
        if len(sealed) < TAG_BYTES:
            raise InvalidTag
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, sealed[-TAG_BYTES:])).decryptor()
        decryptor.authenticate_additional_data(associated)
        return decryptor.update(sealed[:-TAG_BYTES]) + decryptor.finalize()


CIPHERS: dict[str, FieldCipher] = {"aes-256-gcm": AesGcm(), "sm4-gcm": Sm4Gcm()}


@lru_cache(maxsize=16)
def _aesgcm(key: bytes) -> AESGCM:
    return AESGCM(key)


def active_tag() -> str:
    """The `cipher:key id:` prefix every value written now carries; values without it are due for rotation."""
    return f"{settings.XF_FIELD_CIPHER}:{settings.XF_FIELD_KEY_ID}:"


def field_encrypt(plaintext: str, associated: str) -> str:
    """Seal `plaintext` under the active cipher and key, bound to `associated` (the column's name)."""
    nonce = os.urandom(NONCE_BYTES)
    cipher = CIPHERS[settings.XF_FIELD_CIPHER]
    key = settings.XF_FIELD_KEYS[settings.XF_FIELD_KEY_ID]
    sealed = cipher.encrypt(key, nonce, plaintext.encode(), associated.encode())
    return active_tag() + base64.urlsafe_b64encode(nonce + sealed).decode()


def field_decrypt(stored: str, associated: str) -> str:
    """Open a stored value; anything altered, truncated, moved from another column or unknown raises."""
    match = STORED.match(stored)
    if match is None:
        raise FieldDecryptionError(f"{associated}: the stored value is not an encrypted value")
    cipher = CIPHERS.get(match["cipher"])
    key = settings.XF_FIELD_KEYS.get(match["key_id"])
    if cipher is None or key is None:
        raise FieldDecryptionError(
            f"{associated}: no key {match['key_id']!r} for cipher {match['cipher']!r} in XF_FIELD_KEYS"
        )
    try:
        blob = base64.urlsafe_b64decode(match["payload"])
        plaintext = cipher.decrypt(key, blob[:NONCE_BYTES], blob[NONCE_BYTES:], associated.encode())
        return plaintext.decode()
    except (InvalidTag, ValueError, binascii.Error) as error:
        raise FieldDecryptionError(f"{associated}: the stored value fails authentication") from error


def is_encrypted(stored: str) -> bool:
    """Whether a stored value has the shape of an encrypted value (it may still fail authentication)."""
    return STORED.match(stored) is not None
