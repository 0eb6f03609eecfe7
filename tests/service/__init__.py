"""Tests of playground/service: sessions, their store and their history, without HTTP."""
