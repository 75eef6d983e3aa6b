"""Byte delivery: RFC 9110 Range serving and the app / x-accel / redirect backends (ADR 0004)."""
