"""Social writes by domain: comments, moderation, library, notifications, account."""
