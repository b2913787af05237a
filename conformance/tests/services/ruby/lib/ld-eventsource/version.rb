module SSE
  VERSION = "2.6.0" # x-release-please-version
end
