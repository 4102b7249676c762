"""The decision step: matched rules become findings on explicit sites, and findings combine
into one decision with exclusions, caps and avoided techniques (``assessment`` holds the
result's shape)."""
