"""bashx: a bash interpreter over fsx, checked for safety, tiered to sandboxed processes."""
