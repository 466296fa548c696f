"""Notifications of inbox items: in-app (the bell), e-mail at once or in a daily digest, per-user choices."""
