package dev.herald.server.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An LLM-style answer streamed token by token on {@value DemoPublishers#TOKENS}: event {@code start}
 * ({@code {"answer","prompt"}}), then one {@code token} event per token ({@code {"answer","i","text"}}), then
 * {@code end} ({@code {"answer","tokens"}}), then a pause and the next answer. At most
 * {@value #MAX_TOKENS_PER_SECOND} tokens per second. Runs on the demo thread only; one tick publishes one event and
 * schedules the next.
 */
final class TokenStream implements Runnable {

    static final int MAX_TOKENS_PER_SECOND = 40;
    private static final long PAUSE_MILLIS = 2500;
    private static final Pattern TOKEN = Pattern.compile(" ?[\\p{L}\\p{N}]+| ?[^\\p{L}\\p{N}\\s]|\\s");

    private record Answer(String prompt, String text) {
    }

    private static final List<Answer> ANSWERS = List.of(
            new Answer("When should I use Server-Sent Events instead of WebSockets?",
                    "Use Server-Sent Events when data flows one way, from server to browser: notifications, live "
                            + "dashboards, build logs, or a model streaming its answer like this one. SSE is plain "
                            + "HTTP, so it passes proxies, reconnects by itself and resumes from the last event id. "
                            + "Reach for WebSockets when the browser talks back often, as in chat or games."),
            new Answer("Why does a push server need message ids?",
                    "Because connections drop. A client that remembers the last id it saw can ask for everything "
                            + "after it, and get each message exactly once, in order. When the server no longer "
                            + "holds that history, it says so with an explicit reset instead of skipping quietly."),
            new Answer("What is full jitter?",
                    "Full jitter picks each reconnect delay at random between zero and an exponentially growing "
                            + "cap. When a server restarts, thousands of clients lose it at the same moment; spreading "
                            + "their returns over the whole window keeps them from knocking it over again."),
            new Answer("Is long polling obsolete?",
                    "Not quite. Some corporate proxies buffer streaming responses or refuse WebSocket upgrades. "
                            + "Long polling is ordinary request and response, so it works through all of them, and a "
                            + "good client falls back to it on its own and upgrades again when it can."));

    private final DemoPublishers.Publisher publisher;
    private final RandomGenerator random;
    private @org.jspecify.annotations.Nullable ScheduledExecutorService executor;
    private long answerNumber;
    private int answerIndex;
    private List<String> tokens = List.of();
    private int next = -1;   // -1: start an answer; tokens.size(): end it

    TokenStream(DemoPublishers.Publisher publisher, RandomGenerator random) {
        this.publisher = publisher;
        this.random = random;
    }

    Runnable schedule(ScheduledExecutorService executor) {
        this.executor = executor;
        executor.schedule(this, 500, TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public void run() {
        long delay;
        if (next < 0) {
            Answer answer = ANSWERS.get(answerIndex);
            answerIndex = (answerIndex + 1) % ANSWERS.size();
            answerNumber++;
            tokens = tokenize(answer.text());
            next = 0;
            publisher.publish(DemoPublishers.TOKENS, "{\"answer\":" + answerNumber + ",\"prompt\":"
                    + DemoPublishers.quote(answer.prompt()) + "}", "start");
            delay = 400;
        } else if (next < tokens.size()) {
            publisher.publish(DemoPublishers.TOKENS, "{\"answer\":" + answerNumber + ",\"i\":" + next + ",\"text\":"
                    + DemoPublishers.quote(tokens.get(next)) + "}", "token");
            next++;
            // Like a model: mostly steady, now and then a short think.
            delay = 1000 / MAX_TOKENS_PER_SECOND + random.nextInt(40) + (random.nextInt(25) == 0 ? 250 : 0);
        } else {
            publisher.publish(DemoPublishers.TOKENS, "{\"answer\":" + answerNumber + ",\"tokens\":" + tokens.size()
                    + "}", "end");
            next = -1;
            delay = PAUSE_MILLIS;
        }
        ScheduledExecutorService executor = this.executor;
        if (executor != null && !executor.isShutdown()) {
            executor.schedule(this, delay, TimeUnit.MILLISECONDS);
        }
    }

    /** Splits like a subword tokenizer would, roughly: words with their leading space, long words in pieces. */
    static List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) {
            String word = m.group();
            for (int k = 0; k < word.length(); k += 6) {
                out.add(word.substring(k, Math.min(word.length(), k + 6)));
            }
        }
        return out;
    }
}
