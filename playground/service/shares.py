"""Trained networks shared by a link (API.md 6.4): the session's model file frozen in the
store under an id; opening the link makes a new session from it, so whoever opens it
trains their own copy and the original is never touched."""

from __future__ import annotations

import secrets

from .config import Limits
from .errors import Refused
from .model_file import model_file
from .sessions import Session
from .store import SessionStore

KIND = "share"
ID_LENGTH = 12


def share(store: SessionStore, session: Session) -> str:
    """Freeze the session (its lock held) as it is now; the new share's id."""
    share_id = secrets.token_hex(ID_LENGTH // 2)
    store.put_document(KIND, share_id, model_file(session), ttl=Limits.share_days * 86400)
    return share_id


def find(store: SessionStore, share_id: str) -> dict:
    """The shared network's model file (404 unknown_share)."""
    well_formed = len(share_id) == ID_LENGTH and all(c in "0123456789abcdef" for c in share_id)
    body = store.get_document(KIND, share_id) if well_formed else None
    if body is None:
        raise Refused(f"no shared network {share_id[:40]!r} (its link may have expired: a "
                      f"shared network is kept {Limits.share_days} days)", "unknown_share",
                      {"share_id": share_id[:40]}, status=404)
    return body


def link(share_id: str) -> str:
    return f"/?share={share_id}"
