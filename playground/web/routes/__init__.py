"""One router per resource, each route a few lines: parse, find the session, call it,
return its answer. `web/app.py` includes them all."""
