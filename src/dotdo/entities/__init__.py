"""Entities: Durable Objects holding one validated record each, listed by a name index, served over REST.

Above `graph` (the record is a thing) and `context` (changes are events), and above `http`: an
`Entity` class declares its REST routes as an HTTP mount.
"""
