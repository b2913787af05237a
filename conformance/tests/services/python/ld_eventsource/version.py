VERSION = "1.7.2"  # x-release-please-version
