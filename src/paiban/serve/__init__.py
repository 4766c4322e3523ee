"""`paiban serve`: the live page. `server` (Starlette on uvicorn, watchfiles, server-sent events)
over `session` (the warm, incremental build) and `pixels` (previews redrawn where lines changed);
the browser's side is plain HTML, JavaScript and CSS in `static/`. Needs the `serve` extra."""
