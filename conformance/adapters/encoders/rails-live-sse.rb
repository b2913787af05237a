# Rails' ActionController::Live::SSE (Debian ruby-actionpack) behind the encoder adapter
# protocol of conformance/ADAPTERS.md. SSE#write takes the data and the options retry, event, id.
require "action_controller"
require "base64"
require "json"
require "stringio"

$stdout.sync = true
$stdin.each_line do |line|
  message = JSON.parse(line)
  if message.key?("comment")
    puts({ unsupported: ["comment"] }.to_json)
    next
  end
  # JSON gives lone surrogates as invalid UTF-8 in Ruby; a Rails app's response has U+FFFD there.
  message.transform_values! { |v| v.is_a?(String) ? v.scrub("\uFFFD") : v }
  stream = StringIO.new(+"", "w")
  begin
    options = message.slice("event", "id", "retry").transform_keys(&:to_sym)
    ActionController::Live::SSE.new(stream).write(message.fetch("data", nil), options)
    puts({ bytes_b64: Base64.strict_encode64(stream.string.b) }.to_json)
  rescue StandardError => e
    puts({ error: e.message }.to_json)
  end
end
