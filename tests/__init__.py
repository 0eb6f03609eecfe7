"""The tests, in folders that mirror the package (engine, service, web) and the page in
Chromium; each folder is a package, so a helper is imported relatively (`from .x import`)."""
