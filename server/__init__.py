"""Cofacture's service: HTTP, WebSocket, auth, persistence and the command line."""
