"""The portal served over HTTP from a thread of the test process, over the test database as
it is (not pytest-django's live_server, whose flush would remove the demo content). Used by
the browser tests and the schemathesis run."""
from contextlib import contextmanager


@contextmanager
def serving_portal(django_db_blocker):
    """Yields the base URL while a server thread answers requests."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.db import connections
    from django.test.testcases import LiveServerThread

    with django_db_blocker.unblock():
        # An in-memory SQLite database exists once per connection: the thread must share ours.
        shared = {conn.alias: conn for conn in connections.all()
                  if conn.vendor == "sqlite" and conn.is_in_memory_db()}
        for conn in shared.values():
            conn.inc_thread_sharing()
        thread = LiveServerThread("127.0.0.1", StaticFilesHandler, connections_override=shared, port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()
