# What Logstash's mutate gsub does to a string, as JRuby does it: one JSON request per line in
# ({"pattern", "replacement", "inputs"}), one JSON answer per line out, until end of input.
require "json"

$stdout.sync = true
Thread.report_on_exception = false

# A pattern that backtracks for ever would stall every later case: past this it answers "timeout".
LIMIT_SECONDS = 1

def answer(request)
  regex = begin
    Regexp.new(request.fetch("pattern"))
  rescue RegexpError => e
    return { "error" => e.message }
  end
  replacement = request.fetch("replacement")
  results = request.fetch("inputs").map do |input|
    # Each match runs in its own thread, so one stopped at the limit leaves nothing behind in this one.
    worker = Thread.new do
      input.gsub(regex, replacement)
    rescue StandardError => e
      # Logstash's mutate catches these and tags the event _mutate_error.
      { "raised" => "#{e.class}: #{e.message}" }
    end
    next worker.value if worker.join(LIMIT_SECONDS)

    worker.kill
    return { "timeout" => true }
  end
  { "results" => results }
end

$stdin.each_line do |line|
  reply = begin
    answer(JSON.parse(line))
  rescue StandardError => e
    { "bad_request" => "#{e.class}: #{e.message}" }
  end
  $stdout.write(JSON.generate(reply), "\n")
end
