from .common import BASE_URL, MASTER_KEY

__all__ = ["BASE_URL", "MASTER_KEY"]
