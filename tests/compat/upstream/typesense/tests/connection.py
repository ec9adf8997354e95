"""Where the server under test listens and its API key (added: the upstream files name localhost:8108 and "xyz")."""

import os
from urllib.parse import urlsplit

SERVER = os.environ.get("TYPESENSE_URL", "http://localhost:8108")
API_KEY = os.environ.get("TYPESENSE_API_KEY", "xyz")
HOST = urlsplit(SERVER).hostname
PORT = urlsplit(SERVER).port
