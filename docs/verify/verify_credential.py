#!/usr/bin/env python3
"""Verifies an SQE Registry credential without the registry's code: a second, independent
implementation of the W3C `eddsa-jcs-2022` Data Integrity proof (RFC 8785 canonical JSON,
SHA-256, Ed25519, multibase base58btc), and of the Bitstring Status List check.

    python3 verify_credential.py CREDENTIAL --did DID_DOCUMENT [--status-list LIST ...]
    python3 verify_credential.py CREDENTIAL --key z6Mk...        (a Multikey, fully offline)

CREDENTIAL, DID_DOCUMENT and each LIST are files or http(s) URLs (the registry serves the DID
document at /.well-known/did.json and each list at the credential's statusListCredential).
Prints one verdict line; exits 0 only when the proof verifies and no given list marks the
credential revoked or suspended. Needs: pip install -r requirements.txt (rfc8785, cryptography).
"""

import argparse
import base64
import gzip
import hashlib
import json
import sys
import urllib.request

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc(text):
    """Multibase base58btc (`z...`) to bytes."""
    if not text.startswith("z"):
        raise ValueError("not multibase base58btc")
    number = 0
    for char in text[1:]:
        number = number * 58 + ALPHABET.index(char)
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    zeros = len(text[1:]) - len(text[1:].lstrip("1"))
    return b"\0" * zeros + raw


def multikey(text):
    """An Ed25519 Multikey (0xed 0x01 + 32 bytes) to its public key."""
    raw = base58btc(text)
    if len(raw) != 34 or raw[:2] != b"\xed\x01":
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def load(source):
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=10) as response:
            return json.load(response)
    with open(source, encoding="utf-8") as file:
        return json.load(file)


def key_from_did(did_document, method):
    """The key a DID document publishes for `method`, if it may assert credentials."""
    if method not in did_document.get("assertionMethod", []):
        raise ValueError(f"{method} may not assert credentials")
    for entry in did_document.get("verificationMethod", []):
        if entry.get("id") == method:
            return multikey(entry["publicKeyMultibase"])
    raise ValueError(f"the DID document has no key {method}")


def verify_proof(secured, key_for):
    """Checks the eddsa-jcs-2022 proof; returns the verification method."""
    document = {k: v for k, v in secured.items() if k != "proof"}
    proof = dict(secured["proof"])
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != "eddsa-jcs-2022":
        raise ValueError("not an eddsa-jcs-2022 Data Integrity proof")
    signature = base58btc(proof.pop("proofValue"))
    if "@context" in proof:
        def as_list(value):
            return value if isinstance(value, list) else [value]
        expected = as_list(proof["@context"])
        if as_list(document.get("@context", []))[: len(expected)] != expected:
            raise ValueError("the proof's @context does not begin the document's")
        document["@context"] = proof["@context"]
    method = proof["verificationMethod"]
    data = hashlib.sha256(rfc8785.dumps(proof)).digest() + hashlib.sha256(
        rfc8785.dumps(document)
    ).digest()
    key_for(method).verify(signature, data)
    return method


def status_bit(entry, status_list, key_for):
    """Whether the list (verified, and the one the entry names) sets the entry's bit."""
    verify_proof(status_list, key_for)
    if status_list.get("id") != entry["statusListCredential"]:
        raise ValueError("this list is not the one the credential names")
    subject = status_list["credentialSubject"]
    if subject.get("statusPurpose") != entry["statusPurpose"]:
        raise ValueError("the list's purpose is not the entry's")
    encoded = subject["encodedList"]
    if not encoded.startswith("u"):
        raise ValueError("the list is not multibase base64url")
    packed = encoded[1:] + "=" * (-len(encoded[1:]) % 4)
    bits = gzip.decompress(base64.urlsafe_b64decode(packed))
    if len(bits) * 8 < 131072:
        raise ValueError("the list is shorter than 131,072 entries")
    index = int(entry["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("credential")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--did", help="the issuer's DID document (file or URL)")
    source.add_argument("--key", help="the issuer's public key as a Multikey (z6Mk...)")
    parser.add_argument("--status-list", action="append", default=[])
    args = parser.parse_args()
    try:
        credential = load(args.credential)
        if args.key:
            key = multikey(args.key)

            def key_for(_method):
                return key
        else:
            did_document = load(args.did)

            def key_for(method):
                return key_from_did(did_document, method)

        method = verify_proof(credential, key_for)
        entries = credential.get("credentialStatus", [])
        entries = entries if isinstance(entries, list) else [entries]
        for source in args.status_list:
            status_list = load(source)
            for entry in entries:
                if entry.get("statusListCredential") == status_list.get("id"):
                    if status_bit(entry, status_list, key_for):
                        print(f"NOT VALID: the credential is marked {entry['statusPurpose']}")
                        return 1
    except InvalidSignature:
        print("FAILED: the signature does not verify")
        return 1
    except (ValueError, KeyError, TypeError, OSError) as error:
        print(f"FAILED: {error}")
        return 1
    print(f"VERIFIED: {credential.get('id', 'the credential')} signed by {method}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
