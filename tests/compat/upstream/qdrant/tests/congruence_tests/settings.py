# Large timeout for macOS CI
TIMEOUT = 60
