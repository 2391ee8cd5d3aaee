"""A separate process that writes to the search index, for the crash and concurrency tests:

python -m tests.search.writer_process hold INDEX_DIR DATABASE_URI ID...
    indexes the listings but never commits: prints "holding" with the write lock held
    and the documents added, then waits to be killed;
python -m tests.search.writer_process index INDEX_DIR DATABASE_URI ID...
    indexes the listings (waiting for the lock like a web worker) and exits.
"""

import sys
import time

import sqlalchemy as sa

from marketplace import search  # noqa: F401  (imports the models the backend reads)
from marketplace.search.backend import WhooshBackend


def main() -> None:
    mode, root, uri, *ids = sys.argv[1:]
    backend = WhooshBackend(root, sa.create_engine(uri), write_timeout_s=30)
    ids = [int(i) for i in ids]
    if mode == "index":
        backend.index_listings(ids)
        return

    def add_and_hang(writer):
        with backend.engine.connect() as conn:
            from marketplace.search import documents
            from marketplace.search.schema import listing_document

            for row in documents.rows_for_ids(conn, ids):
                writer.update_document(**listing_document(row))
        print("holding", flush=True)
        time.sleep(600)

    backend.store.write(add_and_hang)


if __name__ == "__main__":
    main()
