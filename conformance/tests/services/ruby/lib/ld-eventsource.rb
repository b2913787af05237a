require "ld-eventsource/client"
require "ld-eventsource/version"

#
# A client for the Server-Sent Events protocol.
#
module SSE
  #
  # Internal components of the SSE implementation. All classes in this module should be
  # considered unsupported and subject to change.
  #
  module Impl
  end
end
