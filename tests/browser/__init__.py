"""Browser tests: the real app under uvicorn, driven through the system Chromium by Playwright."""
