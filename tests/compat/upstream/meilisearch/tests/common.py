import os

MASTER_KEY = os.getenv("MEILISEARCH_MASTER_KEY", "masterKey")
BASE_URL = os.getenv("MEILISEARCH_URL", "http://127.0.0.1:7700")
BASE_URL_2 = os.getenv("MEILISEARCH_URL_2")

INDEX_UID = "indexUID"
INDEX_UID2 = "indexUID2"
INDEX_UID3 = "indexUID3"
INDEX_UID4 = "indexUID4"

INDEX_FIXTURE = [
    {"uid": INDEX_UID},
    {"uid": INDEX_UID2, "options": {"primaryKey": "book_id"}},
    {"uid": INDEX_UID3, "options": {"uid": "wrong", "primaryKey": "book_id"}},
]

REMOTE_MS_1 = "ms_001"
REMOTE_MS_2 = "ms_002"
