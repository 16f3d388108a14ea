"""Synthetic user-style prompts that teach the classifier how real users phrase each task type.

Why: in taskmix, summarization, extraction, classification and much of factual QA and creative
writing exist only as P3 templates ("The sentiment expressed for the movie is"), while real users
write "is this review positive or negative?" or "tl;dr this pls". These generators wrap text
taken from the training rows themselves (document slices from the long-context rows, headlines,
reviews) in plainly phrased instructions, so the model learns the instruction, not the template.

Since 2026-11-27 also: field extraction and questions about a pasted text ("get the dates out of
this", "key figures from this report"), question-form and list-sorting labelling requests ("spam or
not spam? ...", "classify each as animal, plant or mineral: ..."), and role-play openers; tuned on
the bench's held-out split and on ``bench/understanding_devset.jsonl`` only.

Since the second 2026-11-27 change, extra rows (``RECORD_ASKS``, own random stream) paste made-up
invoices, CSV tables, bank statements, server logs, survey results and order e-mails with an
extraction, summary or labelling request: check set 3 showed extraction requests over numeric
material read as math (per-type figures only; its rows were not read).

Deterministic for a given seed. Only ever built from the training side of a split, and never
used to measure anything: benchmarks score real rows only.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from . import phrasings

LANGS = ["Python", "JavaScript", "TypeScript", "Java", "C++", "C#", "Go", "Rust", "SQL", "bash",
         "PHP", "Ruby", "Kotlin", "Swift", "R", "C"]
CODE_TASKS = [
    "reverses a linked list", "checks whether a string is a palindrome", "parses a CSV file and sums a column",
    "merges two sorted arrays", "finds the longest common prefix of a list of strings",
    "removes duplicates from a list while keeping order", "reads a JSON config file",
    "implements binary search", "validates an email address with a regex", "counts word frequencies in a file",
    "retries an HTTP request with exponential backoff", "computes the nth Fibonacci number",
    "flattens a nested dictionary", "converts a date string to a timestamp", "implements an LRU cache",
    "sorts a list of objects by two keys", "uploads a file to S3", "connects to a Postgres database",
    "rate limits calls to an API", "builds a REST endpoint that returns users", "detects a cycle in a graph",
]
CODE_ASKS = [
    "Write a {lang} function that {task}.", "How do I write code in {lang} that {task}?",
    "can you give me a {lang} snippet that {task}", "I need a {lang} script which {task}",
    "Implement a class in {lang} that {task}, with unit tests.", "write {lang} code that {task}",
    "What's the most efficient way in {lang} to do something that {task}?",
    "Show me how to write a {lang} program that {task}. Please explain each step.",
    "Refactor my {lang} function that {task} so it is faster:\n\n```\n{snippet}\n```",
    "Why does this {lang} code fail?\n\n{snippet}\n\nI get an error when I run it.",
    "Explain what this code does:\n```\n{snippet}\n```", "Convert this code to {lang}:\n{snippet}",
    "Add type hints and docstrings to this:\n{snippet}", "write a unit test for this function\n{snippet}",
    "How do I fix 'TypeError: cannot read property of undefined' in my {lang} app?",
    "What is the difference between a list and a tuple in {lang}?",
    "How can I set up a Dockerfile for a {lang} web app?", "Write a SQL query that {task}.",
    "my regex isn't matching, help: {snippet}", "{snippet}\n\nwhy is this wrong?",
    "{snippet}\nWhy does this return the wrong result?", "what does this do?\n{snippet}",
    "{snippet}\n\nThis throws an exception. Fix it please.", "Can you review this code?\n{snippet}", "Optimize this query:\nSELECT * FROM orders WHERE {task};",
    # Short how-to questions and bare error messages read like factual questions unless taught.
    "how do i {howto} in {lang}", "{lang} {howto}", "how to {howto} in {lang}?", "{lang}: best way to {howto}?",
    "what does this error mean: {error}", "{error} how to fix", "getting {error} in {lang}, why?",
    "what's the {lang} syntax to {howto}", "{howto} {lang} example",
]
HOWTOS = ["sort a dictionary by value", "parse a JSON string", "make an HTTP GET request", "convert a string to an int",
          "check if a key exists in a map", "split a string on commas", "get the current timestamp",
          "strip whitespace from a string", "install a package", "run two functions in parallel",
          "declare a constant", "catch an exception", "iterate over a map", "format a float to two decimals",
          "write to a file", "read environment variables", "deep copy an object", "merge two dictionaries",
          "squash commits", "delete a remote branch", "list running containers", "create a virtual environment"]
ERRORS = ["KeyError: 'id'", "IndexError: list index out of range", "segmentation fault (core dumped)",
          "ModuleNotFoundError: No module named 'requests'", "Uncaught TypeError: x is not a function",
          "java.lang.NullPointerException", "error[E0382]: borrow of moved value",
          "fatal: not a git repository", "CORS policy: No 'Access-Control-Allow-Origin' header",
          "ValueError: too many values to unpack", "undefined reference to `main'", "Permission denied (publickey)"]
SNIPPETS = [
    "def f(xs):\n    return [x for x in xs if x % 2 == 0]", "for (int i = 0; i <= n; i++) { sum += a[i]; }",
    "const data = await fetch(url).then(r => r.json());\nconsole.log(data.items.length);",
    "SELECT name, COUNT(*) FROM users GROUP BY name HAVING COUNT(*) > 1;",
    "fn main() { let v = vec![1, 2, 3]; println!(\"{:?}\", v.iter().sum::<i32>()); }",
    "public static int max(int[] a) { int m = 0; for (int x : a) if (x > m) m = x; return m; }",
    "import pandas as pd\ndf = pd.read_csv('data.csv')\ndf.groupby('city').mean()",
    "while read line; do echo \"$line\" | cut -d, -f2; done < input.csv",
    "class Node:\n    def __init__(self, val):\n        self.val = val\n        self.next = None",
    "def add(a, b):\n    return a - b", "function isEven(n) { return n % 2 == 1; }",
    "#include <stdio.h>\nint main() { int x; scanf(\"%d\", x); printf(\"%d\", x); }",
    "items = {}\nfor k, v in pairs:\n    items[k] += v", "let total = 0;\narr.forEach(x => total + x);\nreturn total;",
    "if (user = null) {\n  throw new Error('missing');\n}", "x = input()\nprint(x + 1)",
    "<div class=\"row\"><span>{{ name }}</span></div>", "df['date'] = pd.to_datetime(df.date, format='%d-%m')",
    "async function load() { const r = fetch('/api'); return r.json(); }", "std::vector<int> v; v[0] = 1;",
    "git push origin main\n! [rejected] main -> main (non-fast-forward)",
]
TOPICS = ["autumn", "the ocean", "a lost cat", "friendship", "a robot learning to love", "climate change",
          "a small town bakery", "space travel", "my grandmother", "a haunted lighthouse", "first love",
          "the city at night", "a dragon who is afraid of fire", "coffee", "Monday mornings", "a time traveller",
          "the last tree on earth", "a detective in Tokyo", "winter", "a startup founder", "the moon",
          "a job interview", "summer vacation", "an AI that dreams", "two rival chefs", "the mountains"]
WRITING_ASKS = [
    "Write a poem about {topic}.", "write a short story about {topic}", "Write a haiku about {topic}",
    "Compose song lyrics about {topic} in the style of a country ballad.",
    "Can you write a funny limerick about {topic}?", "Write a 500-word story set in {topic}, with a twist ending.",
    "Write a blog post about {topic}.", "Write a cover letter for a marketing manager position.",
    "Write an email to my landlord asking to fix the heating.", "Draft a wedding toast for my best friend.",
    "Write a speech for a school graduation about {topic}.", "Give me 10 catchy names for a podcast about {topic}.",
    "Let's role-play: you are a pirate captain and I am a new crew member. Stay in character.",
    "Write a product description for a handmade candle that smells like {topic}.",
    "Write a dialogue between two characters arguing about {topic}.", "Write a sonnet about {topic}.",
    "Continue this story: The door creaked open and", "Write a children's bedtime story about {topic}.",
    "Create a fantasy world with three kingdoms and describe their history.",
    "Write a LinkedIn post announcing my new job.", "Rewrite this paragraph to sound more exciting:\n\n{short}",
    "Write a screenplay scene about {topic}.", "write me a rap verse about {topic}",
    "Write a persuasive essay arguing for {topic}.", "Imagine you are {topic}. Describe your day in first person.",
    "Brainstorm five plot ideas for a novel about {topic}.",
    "act as {persona} and greet me", "roleplay as {persona}, I'll start: hello?",
    "you are {persona}. stay in character and answer my questions",
    # Short, verb-less or chatty requests: without them a short prompt with no cue reads as factual_qa.
    "a {form} about {topic}", "{form} about {topic} please", "tell me a {form} about {topic}",
    "{form} on {topic}", "can you do a {form} about {topic}?", "make up a {form} about {topic}",
    "I'd love a {form} about {topic}", "give me a {form} about {topic}", "{topic}: a {form}",
]
FORMS = ["poem", "haiku", "limerick", "short story", "story", "sonnet", "song", "rap verse", "fable", "fairy tale",
         "joke", "riddle", "ballad", "free verse poem", "bedtime story", "ode", "love letter", "toast", "tale",
         "monologue", "couplet", "nursery rhyme", "myth", "parable"]
SUMMARY_ASKS = [
    "Summarize the following text:\n\n{doc}", "{doc}\n\nSummarize this in three bullet points.",
    "Can you give me a short summary of this article?\n\n{doc}", "{doc}\n\ntl;dr", "TL;DR:\n{doc}",
    "{doc}\n\nWhat are the key takeaways?", "Please condense this into one paragraph:\n{doc}",
    "Extract all the names of people and organizations mentioned in the following text.\n\n{doc}",
    "{doc}\n\nList every date mentioned above.", "From the text below, pull out the main facts as a JSON object.\n\n{doc}",
    "Here is an article:\n{doc}\n\nWrite a one-sentence summary.", "{doc}\n\nGive me the gist of this in plain English.",
    "Extract the key points from this passage:\n\"\"\"\n{doc}\n\"\"\"", "{doc}\n\nBased on the text above, who is involved and what happened?",
    "Read the passage and answer: what is the main argument?\n\n{doc}", "Write a headline for this news story:\n{doc}",
    "{doc}\n\nSummarize the above for a busy executive.", "Make a bulleted list of action items from these notes:\n{doc}",
    "Pull the numbers and figures out of this report:\n{doc}", "{doc}\n\nAccording to this text, what does the author conclude?",
    "Here are my notes: {short} Can you turn them into a list of action items?", "Shorten this to one line: {short}",
    "From this message, extract the names, dates and amounts: {short}", "What are the main points here? {short}",
    "Give me a short recap of this email:\n{short}", "Extract the key facts from this text as JSON: {short}",
    "Make this paragraph shorter without losing meaning: {short}", "{short}\n\nSummarize this in one sentence.",
    # Field extraction and questions about a pasted text, as users write them: the pasted text often
    # holds numbers, names or a story, which alone would read as math, factual or creative.
    "extract the {field} from this {medium}:\n\n{short}", "get the {field} out of this text: {short}",
    "{short}\n\nlist the {field} mentioned above", "can you find all the {field} in this {medium}\n{short}",
    "From the {medium} below, I only need the {field} and the {field2}.\n\n{short}",
    "{short}\n\nwhich {field} are mentioned here?", "here's a {medium}, give me just the {field}: {short}",
    "summarise this for me:\n\n{short}", "tldr {short}", "{short}\n\ntl;dr?",
    "important bits of this {medium} please: {short}", "give me the main points in bullets:\n{short}",
    "turn this {medium} into a short summary: {short}", "what is this {medium} basically saying? {short}",
    "make this shorter: {short}", "{short}\n\nboil that down for me",
    "key figures from this {medium}: {short}", "what happened, according to this {medium}? {short}",
    "In a few words, what is this {medium} about?\n{short}",
]
# Numeric business material (invoices, tables, statements, logs), pasted with a request for fields or
# a summary, or for labels: numbers alone would read as a math problem. Generated as extra rows with
# their own random stream, so the rows above stay as they were.
RECORD_ASKS = {
    "summarization_extraction": [
        "pull out the {field} from this:\n{record}", "{record}\n\nsummarize these numbers in two sentences",
        "Turn this into a JSON object:\n{record}", "{record}\n\nwhat are the key figures here?",
        "give me a quick summary of this {rmedium}:\n\n{record}", "{record}\n\ncan you put this in a table?",
        "Can you extract the dates and amounts from this?\n{record}", "{record}\n\nwhich entries stand out?",
        "what does this {rmedium} say, in a sentence or two?\n{record}", "{record}\n\ngive me the highlights",
        "Extract every line item with its price:\n{record}", "{record}\n\nlist the highest and lowest values",
    ],
    "classification": [
        "{record}\n\nlabel each line as {label_a}, {label_b} or {label_c}",
        "categorize this {rmedium}: {label_a}, {label_b} or {label_c}?\n{record}",
        "is this {rmedium} {label_a} or {label_b}?\n\n{record}",
    ],
}
RECORDS_PER_TYPE = {"summarization_extraction": 40, "classification": 15}
PHRASINGS_PER_TYPE = 50  # rows per type from ``phrasings`` (non-English requests, the English kinds it adds)
FIELDS = ["dates", "names", "amounts", "email addresses", "deadlines", "addresses", "key facts", "places",
          "times", "main figures", "URLs", "order numbers", "locations", "key decisions", "statistics", "titles"]
MEDIA = ["email", "message", "text", "article", "paragraph", "note", "report", "post", "letter", "document",
         "thread", "memo", "chat log", "press release"]
FACT_ASKS = [
    "What is the capital of {place}?", "Who invented the {thing}?", "When was the {thing} invented?",
    "How tall is Mount Everest?", "What year did World War II end?", "Who wrote Pride and Prejudice?",
    "What does DNA stand for?", "How many bones are in the human body?", "What is the boiling point of water in Fahrenheit?",
    "Who was the first person to walk on the moon?", "What is the largest planet in the solar system?",
    "which country has the largest population", "what language do they speak in {place}",
    "What is the currency of {place}?", "who painted the mona lisa", "how far is the moon from earth",
    "What is the speed of light?", "Who is the author of {book}?", "When did {place} become independent?",
    "What is photosynthesis?", "What's the chemical symbol for gold?", "who won the 2014 world cup",
    "How long does it take to fly from London to New York?", "What is the population of {place}?",
    "Who discovered penicillin?", "what is the tallest building in the world", "Where is the Great Barrier Reef?",
    "What is the meaning of the word 'ephemeral'?", "Is a tomato a fruit or a vegetable?",
]
PLACES = ["France", "Japan", "Brazil", "Kenya", "Canada", "Australia", "Norway", "India", "Peru", "Vietnam"]
THINGS = ["telephone", "light bulb", "printing press", "internet", "steam engine", "airplane", "radio"]
BOOKS = ["1984", "Moby Dick", "War and Peace", "The Hobbit", "Don Quixote"]
CLASSIFY_ASKS = [
    "Classify the sentiment of this review as positive, negative or neutral:\n\n{short}",
    "Is the following review positive or negative?\n{short}", "{short}\n\nWhat is the sentiment of this text?",
    "Categorize this text into one of: sports, politics, business, technology, entertainment.\n\n{short}",
    "Is this email spam or not spam?\n\n{short}", "Label the following customer message as complaint, question or praise:\n{short}",
    "Rate this review from 1 to 5 stars:\n{short}", "Which topic does this headline belong to?\n{short}",
    "{short}\n\nIs this statement toxic? Answer yes or no.", "Detect the language of this sentence: {short}",
    "Classify the intent of the user: \"{short}\"", "Tag this support ticket with a category (billing, bug, feature request, other):\n{short}",
    "Does the following text express anger, joy, sadness or fear?\n{short}",
    "Sort these into fruit and vegetables: apple, carrot, banana, broccoli, pear",
    "{short}\n\nLabel: positive or negative?", "Is this tweet sarcastic? {short}",
    "Given the text below, choose the most appropriate category from [news, opinion, advertisement].\n{short}",
    "Assign a genre to this book description:\n{short}", "Which of these labels fits best: urgent, normal, low priority?\n{short}",
    # Question-form labelling requests, short ones and lists of items to sort: these otherwise read
    # as factual questions, or follow whatever the labelled text is about (code, money, a story).
    "{label_a} or {label_b}? '{short}'", "is this {medium} {label_a} or {label_b}? {short}",
    "would you say this {medium} is {label_a} or {label_b}? \"{short}\"", "{label_a} or {label_b}: {short}",
    "pick a category for this {medium} ({label_a}/{label_b}/{label_c}): {short}",
    "which bucket does each go in ({label_a}/{label_b}/{label_c})? a) {short} b) {short2}",
    "split these into {label_a} / {label_b} / {label_c}: {items}", "classify each as {label_a}, {label_b} or {label_c}: {items}",
    "is the sentiment of this {medium} positive, negative or neutral? {short}",
    "how urgent is this, low, medium or high? '{short}'", "which department should handle this: '{short}' {label_a}, {label_b} or {label_c}?",
    "is this {medium} sarcastic? {short}", "does this {medium} sound {label_a} or {label_b}? {short}",
    "{short}\n\n{label_a}, {label_b} or {label_c}?", "what tone is this {medium}: {label_a} or {label_b}? {short}",
    "is this {medium} about {label_a} or {label_b}? {short}",
]
LABEL_SETS = [["positive", "negative", "neutral"], ["spam", "not spam", "unsure"], ["urgent", "normal", "low priority"],
              ["toxic", "not toxic", "borderline"], ["happy", "angry", "sad"], ["formal", "informal", "neutral"],
              ["HR", "IT", "Finance"], ["animal", "plant", "mineral"], ["fiction", "non-fiction", "poetry"],
              ["relevant", "irrelevant", "partly relevant"], ["friendly", "angry", "neutral"],
              ["technology", "health", "entertainment"], ["phishing", "legitimate", "suspicious"],
              ["refund", "exchange", "warranty"], ["beginner", "intermediate", "advanced"], ["safe", "unsafe", "needs review"],
              ["bullish", "bearish", "neutral"], ["clickbait", "not clickbait", "unclear"], ["science", "history", "art"],
              ["hot lead", "cold lead", "not a lead"]]
ITEMS = ["oak", "salmon", "quartz", "granite", "fern", "rice", "laptop", "sofa", "insulin", "tiger", "eagle", "tulip",
         "copper", "taxi", "violin", "hammer", "jeans", "passport", "mango", "sparrow", "marble", "bamboo"]
LONG_ASKS = [
    "Summarize the document above.", "What are the main points of this report?", "Who are the main characters?",
    "Answer based on the text: what was decided at the end?", "Please write a short review of this paper.",
    "List the key obligations of each party in this contract.", "What did the speakers disagree about?",
    "Based on the document, what is the author's main conclusion?", "Extract all dates mentioned in this text.",
    "Write an abstract for this paper.", "What topics are discussed in this transcript?",
]
MATH_ASKS = [
    "Solve for x: {a}x + {b} = {c}", "What is {a}% of {c}?", "what is {a} * {c}", "Find the derivative of x^{a} + {b}x.",
    "If a train travels {c} km in {a} hours, what is its average speed?", "Prove that the square root of 2 is irrational.",
    "A shop sells pens at ${a} each. I buy {b} pens and pay with ${c}. How much change do I get?",
    "Integrate {a}x^2 from 0 to {b}.", "What is the probability of rolling two sixes with two dice?",
    "Simplify ({a}x + {b})({a}x - {b}).", "How many ways can {a} people sit around a round table?",
    "Is {c} a prime number? Show your reasoning.", "Calculate the compound interest on ${c} at {a}% for {b} years.",
]
PREFIXES = ["", "", "", "Hi! ", "Please ", "hey, ", "Quick question: ", "I need help. ", "Thanks in advance. "]


def _slices(text: str, rng: random.Random, lo: int, hi: int) -> str:
    if len(text) <= lo:
        return text
    size = rng.randint(lo, min(hi, len(text)))
    start = rng.randint(0, len(text) - size)
    cut = text.find(" ", start)
    start = cut + 1 if 0 <= cut < start + 50 else start
    return text[start:start + size].strip()


def _documents(rows: list[dict]) -> list[str]:
    """Plain documents: long-context rows without their final instruction paragraph."""
    docs = []
    for r in rows:
        if r["gold_type"] == "long_context":
            body = r["text"].rsplit("\n\n", 1)[0]
            if len(body) > 2000:
                docs.append(body)
    return docs


def _short_texts(rows: list[dict], docs: list[str]) -> list[str]:
    """Review-, note- and headline-sized snippets, including numeric narratives (word problems):
    wrapped in a summary or labelling instruction they teach that numbers alone do not make math."""
    out = []
    for r in rows:
        text = r["text"]
        if r.get("source_label") == "GSM8K":
            out.append(text)
        if "(gigaword)" in r.get("source", "") and "===" in text:
            out.append(text.split("===")[0].strip())
        if "review_summ" in r.get("source", ""):
            out += [s.strip()[:600] for s in re.split(r"Review #\d+:", text)[1:40] if len(s.strip()) > 60]
    for d in docs[:50]:
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+", d[:3000]) if 40 < len(s) < 300][:10]
    return out or ["The service was slow but the food was great."]


RECORD_MEDIA = ["invoice", "table", "statement", "report", "log", "spreadsheet", "receipt", "order", "export"]
_NAMES = ["Acme Corp", "Northwind", "Blue Harbor Ltd", "Kessler GmbH", "Lumen Studio", "Oakridge Dental", "Tran & Co"]
_GOODS = ["USB-C cable", "desk lamp", "printer paper", "consulting hours", "coffee beans", "monitor", "license seat",
          "shipping", "cleaning service", "office chair", "SSD 1TB", "design work"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _record(rng: random.Random) -> str:
    """A made-up invoice, table, statement, log or results note full of numbers."""
    kind = rng.randrange(7)
    day = lambda: f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"  # noqa: E731
    if kind == 0:
        lines, total = [], 0.0
        for good in rng.sample(_GOODS, rng.randint(2, 5)):
            qty, price = rng.randint(1, 12), rng.randint(200, 50000) / 100
            total += qty * price
            lines.append(f"{good:<18} {qty:>3}  ${price:,.2f}  ${qty * price:,.2f}")
        return (f"INVOICE #{rng.randint(1000, 99999)}\nDate: {day()}\nBill to: {rng.choice(_NAMES)}\n\n"
                + "\n".join(lines) + f"\n\nTotal due: ${total:,.2f}\nDue date: {day()}")
    if kind == 1:
        head = rng.choice(["month,region,units,revenue", "date,product,orders,returns", "week,visits,signups,churn"])
        rows = [f"{rng.choice(_MONTHS)},{rng.choice(['North', 'South', 'EU', 'APAC', 'A', 'B'])},"
                f"{rng.randint(10, 900)},{rng.randint(100, 99999)}" for _ in range(rng.randint(3, 8))]
        return head + "\n" + "\n".join(rows)
    if kind == 2:
        return "\n".join(f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d} {rng.choice(['GROCERY MART', 'PAYROLL', 'CITY TRANSIT', 'NETFLIX', 'RENT', 'PHARMACY', 'ATM WITHDRAWAL', 'ONLINE SHOP'])} "
                         f"{rng.choice(['-', '+'])}{rng.randint(100, 300000) / 100:,.2f}" for _ in range(rng.randint(4, 9)))
    if kind == 3:
        a, b, c = rng.randint(2, 40), rng.randint(1, 9), rng.randint(100, 999)
        return (f"{rng.choice(_NAMES)} reported Q{rng.randint(1, 4)} revenue of ${a}.{b} million, up {rng.randint(1, 30)}% "
                f"year over year. Operating costs were ${a - 1}.{rng.randint(0, 9)} million and net income "
                f"${c},000. Headcount grew to {rng.randint(20, 900)} and the company expects {rng.randint(2, 15)}% "
                f"growth next year, with {rng.randint(1, 9)} new stores opening by {rng.choice(_MONTHS)}.")
    if kind == 4:
        return "\n".join(f"{day()} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} "
                         f"host={rng.choice(['web-1', 'web-2', 'db-1', 'cache'])} cpu={rng.randint(3, 99)}% "
                         f"mem={rng.randint(1, 64)}.{rng.randint(0, 9)}GB latency={rng.randint(5, 2000)}ms"
                         for _ in range(rng.randint(3, 7)))
    if kind == 5:
        n = rng.randint(80, 3000)
        parts = [rng.randint(5, 60) for _ in range(3)]
        return (f"Survey of {n} customers ({rng.choice(_MONTHS)} 2024): very satisfied {parts[0]}%, satisfied "
                f"{parts[1]}%, neutral {parts[2]}%, the rest unsatisfied. Average rating {rng.randint(20, 49) / 10} / 5; "
                f"{rng.randint(2, 40)}% said they would recommend us; delivery time averaged {rng.randint(1, 9)} days.")
    items = rng.sample(_GOODS, rng.randint(1, 3))
    return (f"Hi {rng.choice(['Sam', 'Priya', 'Jonas', 'Ana', 'Wei'])}, thanks for your order #{rng.randint(10000, 99999)} "
            f"placed on {rng.choice(_MONTHS)} {rng.randint(1, 28)}. "
            + ", ".join(f"{rng.randint(1, 4)} x {g} (${rng.randint(300, 20000) / 100:.2f} each)" for g in items)
            + f". Shipping ${rng.randint(0, 1500) / 100:.2f}. Estimated delivery in {rng.randint(2, 10)} days.")


PERSONAS = ["a medieval innkeeper", "a wizard", "a 1920s detective",
            "a tired barista", "Shakespeare", "a space captain", "a strict drill sergeant", "a friendly dragon"]


def _fill(template: str, rng: random.Random, docs: list[str], shorts: list[str]) -> str:
    labels = rng.choice(LABEL_SETS)
    fields = rng.sample(FIELDS, 2)
    extra = {"record": _record(rng), "rmedium": rng.choice(RECORD_MEDIA)} if "{record}" in template else {}
    return template.format(
        field=fields[0], field2=fields[1], medium=rng.choice(MEDIA), persona=rng.choice(PERSONAS),
        label_a=labels[0], label_b=labels[1], label_c=labels[2], short2=rng.choice(shorts),
        items=", ".join(rng.sample(ITEMS, rng.randint(3, 6))),
        lang=rng.choice(LANGS), task=rng.choice(CODE_TASKS), snippet=rng.choice(SNIPPETS),
        howto=rng.choice(HOWTOS), error=rng.choice(ERRORS), form=rng.choice(FORMS),
        topic=rng.choice(TOPICS), place=rng.choice(PLACES), thing=rng.choice(THINGS), book=rng.choice(BOOKS),
        doc=_slices(rng.choice(docs), rng, 400, 5000) if docs and rng.random() < 0.6 else rng.choice(shorts),
        short=rng.choice(shorts), a=rng.randint(2, 12), b=rng.randint(1, 30), c=rng.randint(20, 999), **extra,
    )


def _long(rng: random.Random, docs: list[str], shorts: list[str]) -> str:
    body = rng.choice(docs)
    if len(body) < 14000:  # join documents until it is clearly long
        body = body + "\n\n" + rng.choice(docs)
    body = _slices(body, rng, 14000, 60000)
    ask = rng.choice(LONG_ASKS)
    return f"{ask}\n\n{body}" if rng.random() < 0.3 else f"{body}\n\n{ask}"


def _log(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(4, 9)):
        level = rng.choice(["INFO", "INFO", "WARN", "ERROR"])
        lines.append(f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
                     f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z {level:<5} "
                     f"{rng.choice(['auth-svc', 'pay-svc', 'search', 'mailer', 'api-gw'])} "
                     + rng.choice(["request done in {0}ms", "upstream timeout after {0}ms", "retrying job {0}",
                                   "cache miss key=user:{0}", "connection reset by peer", "queue depth {0}"])
                     .format(rng.randint(10, 30000)))
    return "\n".join(lines)


def _phrasing(template: str, rng: random.Random, shorts: list[str]) -> str:
    """Fill a ``phrasings`` template."""
    code_lang = rng.choice(LANGS)
    labels = rng.choice(phrasings.CAP_LABELS)
    return template.format(
        text=rng.choice(phrasings.FOREIGN_TEXTS) if rng.random() < 0.75 else rng.choice(shorts),
        topic=rng.choice(phrasings.FOREIGN_TOPICS), lang=code_lang, snippet=rng.choice(SNIPPETS),
        **{f"task_{k}": rng.choice(v) for k, v in phrasings.FOREIGN_TASKS.items()},
        oneliner=rng.choice(phrasings.ONE_LINERS), product=rng.choice(phrasings.PRODUCTS),
        setting=rng.choice(phrasings.SETTINGS),
        puzzle=rng.choice(phrasings.PUZZLES).format(a=rng.randint(4, 9), b=rng.randint(4, 9), c=rng.randint(100, 900)),
        log=_log(rng), record=_record(rng), ticket=rng.choice(phrasings.TICKETS),
        recipe=rng.choice(phrasings.RECIPES), schema=rng.choice(phrasings.SCHEMAS), sql=rng.choice(phrasings.SQL_ASKS),
        word=rng.choice(phrasings.WORDS), occasion=rng.choice(phrasings.CARD_OCCASIONS),
        person=rng.choice(phrasings.PEOPLE), foreign=rng.choice(phrasings.FOREIGN_TEXTS),
        cap_labels=", ".join(labels[:-1]) + " or " + labels[-1], cap_item=rng.choice(phrasings.CAP_ITEMS),
        cap_items="\n".join(f"{i}. {x}" for i, x in enumerate(rng.sample(phrasings.CAP_ITEMS, 4), 1)),
        label_a=rng.choice(["harassment", "spam", "a complaint", "urgent", "off-topic"]),
        titles="\n".join("- " + t for t in rng.sample(phrasings.JOB_TITLES, rng.randint(3, 6))),
        reviews="\n".join(f'{i}. "{r}"' for i, r in enumerate(rng.sample(phrasings.REVIEWS, rng.randint(3, 6)), 1)),
        a=rng.randint(3, 8), b=rng.randint(1, 30), c=rng.randint(20, 999),
    )


def generate(rows: list[dict], per_type: int = 200, seed: int = 13) -> list[dict]:
    """Synthetic rows ``{"text", "gold_type", "source": "synthetic"}`` built from ``rows``."""
    rng = random.Random(seed)
    docs = _documents(rows)
    shorts = _short_texts(rows, docs)
    banks: dict[str, list[str] | Callable] = {
        "code": CODE_ASKS, "math_reasoning": MATH_ASKS, "writing_creative": WRITING_ASKS, "summarization_extraction": SUMMARY_ASKS,
        "factual_qa": FACT_ASKS, "classification": CLASSIFY_ASKS, "long_context": _long,
    }
    out = []
    for gold, bank in banks.items():
        if gold == "long_context" and not docs:
            continue
        for i in range(per_type):
            if callable(bank):
                text = bank(rng, docs, shorts)
            else:
                text = rng.choice(PREFIXES) + _fill(rng.choice(bank), rng, docs, shorts)
                if rng.random() < 0.3:
                    text = text.lower()
            out.append({"id": f"synthetic/{gold}/{i}", "text": text, "gold_type": gold, "source": "synthetic"})
    records = random.Random(seed + 1)
    for gold, asks in RECORD_ASKS.items():
        for i in range(RECORDS_PER_TYPE[gold] * per_type // 150):
            text = records.choice(PREFIXES) + _fill(records.choice(asks), records, docs, shorts)
            out.append({"id": f"synthetic/{gold}/record/{i}", "text": text, "gold_type": gold, "source": "synthetic"})
    more = random.Random(seed + 2)
    n = PHRASINGS_PER_TYPE * per_type // 150
    for gold in banks:
        asks = phrasings.FOREIGN_ASKS.get(gold, []) + phrasings.ENGLISH_ASKS.get(gold, [])
        for i in range(n if asks or docs else 0):
            if gold == "long_context":
                body = _slices(more.choice(docs) + "\n\n" + more.choice(docs), more, 14000, 40000)
                ask = more.choice(phrasings.FOREIGN_LONG_ASKS)
                text = f"{ask}\n\n{body}" if more.random() < 0.4 else f"{body}\n\n{ask}"
            else:
                text = _phrasing(more.choice(asks), more, shorts)
                if more.random() < 0.2:
                    text = text.lower()
            out.append({"id": f"synthetic/{gold}/phrasing/{i}", "text": text, "gold_type": gold, "source": "synthetic"})
    return out
