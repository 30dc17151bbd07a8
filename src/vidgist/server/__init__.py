"""`vidgist serve`: a local web page and JSON API over the one pipeline.

    app.py     the FastAPI app: upload, jobs, results, files, reselect; the page
    store.py   the SQLite job store and each job's folder
    worker.py  the worker processes that run the pipeline on queued jobs
    static/    the page (HTML, CSS, JS; nothing loaded from elsewhere)
"""

from ..options import default_data_dir
from .app import ServerSettings, create_app

__all__ = ["ServerSettings", "create_app", "default_data_dir"]
