"""More ways users ask: requests in Spanish, French, German and Portuguese, and a few English kinds
that the earlier synthetic rows lacked. ``augment.generate`` turns them into extra rows on their own
random stream.

Why: check set 3 (written by an independent writer, 22 of 210 prompts not in English) showed that
non-English requests fail about three times as often as English ones (the cue words are English,
and the encoder's vocabulary is English), that explaining a regex or a shell one-liner reads as
math, that marketing copy and world-building read as classification or factual QA, that logic
puzzles read as classification, and that extraction from logs reads as code. After that reading,
check set 3 is a development set; check set 5, written afterwards, measures the change.

A second pass read check set 4's failures (it is a development set since): labelling requests that
name their labels in capitals or ask "does this count as ...?", field lists pulled from support
tickets, recipes and invoices, card messages and shop listings, SQL requests that give a schema,
and counting questions ("how many ways ..."). Check set 6, written meanwhile, measures that pass.
"""

from __future__ import annotations

# Short pasted material in the four languages: reviews, messages, notes, headlines, news.
FOREIGN_TEXTS = [
    "El envío tardó tres semanas y la caja llegó rota, pero el producto funciona bien.",
    "Reunión del lunes: Marta presenta el presupuesto, Luis revisa los contratos antes del viernes y el "
    "cliente espera respuesta el día 14.",
    "El Gobierno aprobó ayer una subida del salario mínimo del 5 % que entrará en vigor en enero.",
    "Hola, quería saber si todavía tienen la chaqueta azul en talla M, la vi en la web pero no me deja comprarla.",
    "Le restaurant était bondé, le service lent, mais les desserts valaient vraiment le détour.",
    "Bonjour, ma commande n° 55412 n'est toujours pas arrivée alors qu'elle devait être livrée mardi.",
    "Les inscriptions pour le stage d'été ouvrent le 2 mai ; le tarif est de 180 euros et les places sont "
    "limitées à 24 enfants.",
    "La mairie annonce la fermeture du pont Wilson pendant six semaines à partir du 10 juin pour travaux.",
    "Die neue Software stürzt jedes Mal ab, wenn ich einen Bericht exportiere. Bitte dringend prüfen.",
    "Der Stadtrat hat am Dienstag beschlossen, die Buslinie 7 ab März bis zum Bahnhof zu verlängern; die "
    "Kosten liegen bei 1,2 Millionen Euro.",
    "Das Hotel war sauber, aber das Frühstück war enttäuschend und das WLAN funktionierte kaum.",
    "Hallo Team, die Abgabe für das Projekt verschiebt sich auf den 30. Juni, Frau Keller übernimmt die "
    "Präsentation und Herr Yilmaz die Zahlen.",
    "Adorei o hotel! Quarto limpo, café da manhã excelente e a equipe muito simpática.",
    "A empresa anunciou lucro de 340 milhões de reais no trimestre, alta de 12 %, e vai abrir 25 lojas até dezembro.",
    "Oi, preciso remarcar a consulta de quinta-feira para a semana que vem, de preferência de manhã.",
    "O jogo terminou 2 a 1 e o time subiu para o terceiro lugar do campeonato.",
]
FOREIGN_TOPICS = ["el otoño", "la mer", "einen verlorenen Hund", "a saudade", "l'amitié", "die Berge",
                  "un dragón tímido", "o primeiro amor", "la ville la nuit", "den Winter", "el mar", "a chuva"]
FOREIGN_TASKS = {
    "es": ["invierta una cadena", "ordene una lista de números", "cuente las palabras de un archivo",
           "valide un correo electrónico", "lea un archivo CSV y sume una columna"],
    "fr": ["inverse une chaîne", "trie une liste de nombres", "compte les mots d'un fichier",
           "vérifie une adresse e-mail", "lit un fichier JSON"],
    "de": ["eine Liste sortiert", "einen String umdreht", "die Wörter in einer Datei zählt",
           "eine E-Mail-Adresse prüft", "eine CSV-Datei einliest"],
    "pt": ["inverta uma string", "ordene uma lista", "conte as palavras de um arquivo", "valide um e-mail",
           "leia um arquivo JSON"],
}

# {text}: pasted material (non-English or English); {topic}: a topic in the same language family;
# {task_es} etc.: a coding task in that language; {lang}, {snippet}, {a}, {b}, {c} as in ``augment``.
FOREIGN_ASKS: dict[str, list[str]] = {
    "summarization_extraction": [
        "Resume este texto en dos frases:\n\n{text}", "¿Puedes sacar las fechas y los nombres de este mensaje?\n{text}",
        "Hazme un resumen corto de esto: {text}", "Extrae los datos importantes (fechas, cantidades, nombres):\n{text}",
        "Résume ce texte en trois points :\n\n{text}", "Peux-tu extraire les dates et les montants de ce message ?\n{text}",
        "Fais-moi un résumé rapide de cet e-mail : {text}", "{text}\n\nQuels sont les points importants ?",
        "Fasse diesen Text in zwei Sätzen zusammen:\n\n{text}",
        "Kannst du mir die wichtigsten Punkte aus dieser Nachricht herausschreiben?\n{text}",
        "Zieh bitte alle Daten und Beträge aus diesem Text heraus: {text}", "{text}\n\nWorum geht es hier kurz gesagt?",
        "Resuma este texto em poucas linhas:\n\n{text}", "Extraia os nomes, datas e valores deste e-mail:\n{text}",
        "{text}\n\nQuais são os pontos principais?", "Liste em tópicos o que foi decidido aqui: {text}",
    ],
    "classification": [
        "Clasifica este comentario como positivo, negativo o neutro:\n\n{text}", "¿Esta reseña es positiva o negativa? {text}",
        "¿Qué categoría le corresponde a este texto: política, economía, deportes o cultura?\n{text}",
        "Classe ce commentaire : positif, négatif ou neutre ?\n{text}", "Ce message est-il urgent ou pas ? {text}",
        "À quelle catégorie appartient ce texte (politique, économie, sport, culture) ?\n{text}",
        "Ist diese Bewertung positiv oder negativ?\n{text}",
        "Ordne diesen Text einer Kategorie zu (Beschwerde, Frage, Lob):\n{text}",
        "Klassifiziere die Stimmung dieses Kommentars: {text}",
        "Classifique este comentário como positivo, negativo ou neutro:\n{text}", "Essa mensagem é spam ou não? {text}",
        "Em qual categoria este texto se encaixa: política, economia, esporte ou cultura?\n{text}",
    ],
    "writing_creative": [
        "Escribe un poema sobre {topic}.", "Escríbeme un cuento corto sobre {topic}",
        "Redacta un correo a mi jefe pidiendo un día libre el viernes.", "Escribe una descripción atractiva para una lámpara de mesa artesanal.",
        "Écris un poème sur {topic}.", "Raconte-moi une histoire courte sur {topic}",
        "Rédige une lettre de motivation pour un poste de vendeur.", "Écris un petit discours pour le mariage de ma sœur.",
        "Schreib ein Gedicht über {topic}.", "Schreib mir eine kurze Geschichte über {topic}",
        "Formuliere eine höfliche E-Mail an meinen Vermieter wegen der kaputten Heizung.",
        "Schreib einen kurzen Werbetext für unser neues Café.",
        "Escreva um poema sobre {topic}.", "Escreva uma história curta sobre {topic}",
        "Crie uma legenda divertida para um post no Instagram sobre {topic}.",
    ],
    "factual_qa": [
        "¿Cuál es la capital de Australia?", "¿Quién pintó el Guernica?", "¿En qué año llegó el hombre a la Luna?",
        "¿Cuál es el río más largo de Europa?", "Quelle est la capitale du Canada ?", "Qui a découvert la pénicilline ?",
        "Quand a été inventé le téléphone ?", "Combien d'habitants compte la Belgique ?",
        "Was ist die Hauptstadt von Kanada?", "Wer hat die Relativitätstheorie entwickelt?",
        "Wann fiel die Berliner Mauer?", "Wie lang ist der Rhein?", "Qual é a capital da Austrália?",
        "Quem inventou o avião?", "Em que ano o Brasil ficou independente?", "Qual é o maior planeta do sistema solar?",
    ],
    "math_reasoning": [
        "Si un tren recorre {c} km en {a} horas, ¿cuál es su velocidad media?", "Resuelve la ecuación {a}x + {b} = {c}",
        "¿Cuánto es el {a} % de {c}?", "Résous l'équation {a}x + {b} = {c}.",
        "Un magasin vend des stylos à {a} euros. J'en achète {b}, combien je paie ?",
        "Quelle est la probabilité d'obtenir deux six avec deux dés ?", "Löse die Gleichung {a}x + {b} = {c}.",
        "Ein Zug fährt {c} km in {a} Stunden. Wie schnell fährt er im Durchschnitt?", "Wie viel sind {a} Prozent von {c}?",
        "Resolva a equação {a}x + {b} = {c}.", "Se eu tenho {c} reais e gasto {a} % deles, quanto sobra?",
        "Quantos anagramas tem a palavra LIVRO?",
    ],
    "code": [
        "Escribe una función en {lang} que {task_es}.", "¿Cómo leo un archivo JSON en {lang}?",
        "¿Por qué este código da error?\n{snippet}", "Écris une fonction {lang} qui {task_fr}.",
        "Comment faire une requête HTTP en {lang} ?", "Pourquoi ce code ne marche pas ?\n{snippet}",
        "Schreib eine {lang}-Funktion, die {task_de}.", "Wie kann ich in {lang} eine Datei zeilenweise lesen?",
        "Warum funktioniert dieser Code nicht?\n{snippet}", "Escreva uma função em {lang} que {task_pt}.",
        "Como faço para conectar no banco Postgres usando {lang}?", "Por que esse código dá erro?\n{snippet}",
    ],
}
FOREIGN_LONG_ASKS = ["Resume el documento anterior.", "¿Cuáles son las conclusiones principales de este informe?",
                     "Résume ce document en quelques paragraphes.", "Quels sont les engagements de chaque partie ?",
                     "Fasse das Dokument zusammen.", "Welche Entscheidungen wurden am Ende getroffen?",
                     "Quais são os principais pontos deste relatório?", "Resuma o documento acima."]

ONE_LINERS = [
    "awk -F: '$3 >= 1000 {print $1}' /etc/passwd", "sed -E 's/([0-9]{4})-([0-9]{2})-([0-9]{2})/\\3.\\2.\\1/g' dates.txt",
    "find . -name '*.log' -mtime +7 -exec rm {} \\;", "^[A-Z]{2}\\d{2}(?: ?\\d{4}){4}$",
    "grep -c ' 50[0-9] ' access.log | sort -n | uniq -c", "jq '.items[] | select(.price > 10) | .name' data.json",
    "(?<=@)[\\w.-]+\\.[a-z]{2,}", "xargs -n1 -P4 curl -sO < urls.txt", "ps aux | awk '{s+=$6} END {print s/1024}'",
    "[x**2 for x in range(10) if x % 3 == 0]", "cut -d, -f2,5 sales.csv | sort -t, -k2 -nr | head -5",
    "^(\\+\\d{1,3} )?\\(?\\d{3}\\)?[ -]?\\d{3}-\\d{4}$", "du -sh * | sort -h | tail -3",
]
PRODUCTS = ["a reusable water bottle", "noise-cancelling earbuds", "a sourdough starter kit", "a standing desk",
            "an online Spanish course", "handmade ceramic mugs", "a budgeting app", "a dog-walking service"]
SETTINGS = ["a floating market town", "a city carved into a glacier", "a desert oasis run by traders",
            "an underground library", "a port city on the back of a giant turtle"]
PUZZLES = [
    "A bat and a ball cost $1.10 in total. The bat costs $1.00 more than the ball. How much is the ball?",
    "Three friends pay $30 for a room, get $5 back, keep $1 each and tip $2. Where did the missing dollar go?",
    "If 5 machines make 5 widgets in 5 minutes, how long do 100 machines take to make 100 widgets?",
    "On an island, knights always tell the truth and knaves always lie. A says: 'We are both knaves.' What are A and B?",
    "Why is it that in a room of 23 people there's a 50% chance two share a birthday? Explain the probability.",
    "You have 8 coins and one is heavier. With a balance scale, what's the fewest weighings to find it?",
    "A snail climbs 3 m up a 10 m well each day and slips back 2 m each night. On which day does it get out?",
    "Two trains leave {c} km apart heading toward each other at {a}0 and {b}0 km/h. When do they meet?",
]
JOB_TITLES = ["Junior Data Analyst", "Head of Sales", "Senior Backend Engineer", "Office Assistant", "CTO",
              "Product Manager", "Intern, Marketing", "Director of Operations", "Support Specialist II"]
REVIEWS = ["Would love an export to PDF", "App freezes when I upload photos", "Way too expensive for what it does",
           "Best note app I've tried", "Please add a widget", "Login fails after the update",
           "Love the new design!", "Why do I need an account just to look around?"]

TICKETS = [
    "Subject: wrong size\nHi, I'm Dana Ruiz, order 55-1208. The boots I got are a 9, I ordered a 10. "
    "Can you send the right size and a return label?",
    "Hello, this is Omar Haddad (account 44192). My invoice for May shows two charges of $49 for the same "
    "plan. Please refund one of them.",
    "hey it's Lena from Bright Dental, our booking widget stopped loading on the website since tuesday, "
    "patients can't book. can someone look today?",
    "Order #A-7731, placed by Kim Tran on June 2: the blender arrived with a cracked jug. I'd like a "
    "replacement rather than a refund.",
]
RECIPES = [
    "Weeknight chili (serves 4): 500g minced beef, 1 onion, 2 garlic cloves, 1 tin kidney beans, 1 tin "
    "chopped tomatoes, 2 tsp chili powder, 1 tsp cumin. Brown the beef 8 minutes, add the rest, simmer 30 minutes.",
    "My mum's banana bread, which we made every Sunday when I was small... you need 3 ripe bananas, "
    "75g melted butter, 150g sugar, 1 egg, 1 tsp baking soda and 190g flour. Bake at 175C for 60 minutes.",
    "Pancakes for two: 120g flour, 2 eggs, 250ml milk, a pinch of salt, butter for the pan. Rest the "
    "batter 10 minutes and cook each pancake about a minute a side.",
]
SCHEMAS = ["orders(id, customer_id, created_at, total) and customers(id, name, country)",
           "employees(id, name, dept_id, salary, hired_on) and departments(id, name)",
           "events(user_id, type, ts) and users(id, signup_date, plan)",
           "products(id, name, category, price) and sales(product_id, qty, sold_at)"]
SQL_ASKS = ["the top 5 by total revenue last year", "the average per group for 2023", "everyone with no rows in the second table",
            "a running total per month", "the second highest value per group", "duplicates on name"]
WORDS = ["BANANA", "LETTER", "MISSISSIPPI", "STATISTICS", "COFFEE", "BALLOON"]
CARD_OCCASIONS = ["Birthday", "Farewell", "Get well soon", "Congratulations", "Retirement", "Thank-you"]
PEOPLE = ["coworker", "neighbour", "boss", "grandma", "best friend", "teacher"]
CAP_LABELS = [["Correct", "Partially correct", "Incorrect"], ["Engineering", "Sales", "Marketing", "Operations"],
              ["Billing", "Technical issue", "Account access", "Other"], ["Low", "Medium", "High"],
              ["Hot", "Warm", "Cold"], ["Bug", "Feature request", "Question"]]
CAP_ITEMS = ["Account Executive", "Site Reliability Engineer", "the checkout page throws a 500", "Can I change my plan?",
             "Please add CSV export", "I was charged twice", "Warehouse Supervisor", "Brand Designer"]

ENGLISH_ASKS: dict[str, list[str]] = {
    "code": [
        "can you explain this one-liner step by step? {oneliner}", "what does this regex match exactly: {oneliner}",
        "break down this command for me:\n{oneliner}", "{oneliner}\n\nwhat does each part of this do?",
        "is this regex right for what I want? {oneliner}",
        "I need a SQL query. Tables: {schema}. Give me {sql}.", "SQL please: {sql}. tables are {schema}",
        "write me a query for {sql} (tables: {schema})",
    ],
    "writing_creative": [
        "Write a product description for {product}, friendly tone, about 100 words.",
        "Draft a {a}-tweet thread announcing the launch of {product}.", "Write three Instagram captions for {product}.",
        "Describe {setting} for my tabletop campaign: districts, smells, who lives there.",
        "Write ad copy for {product} aimed at students.", "Give me a tagline and a short blurb for {product}.",
        "Invent a town festival for {setting} and describe it.",
        "{occasion} message for my {person}'s card, two or three sentences, not cheesy.",
        "Write a product description for {product}. Etsy listing, warm tone, under 120 words.",
        "write something nice for my {person}'s {occasion} card", "Amazon listing copy for {product}, five bullet points",
    ],
    "math_reasoning": ["{puzzle}", "{puzzle} Explain your reasoning.", "riddle for you: {puzzle}",
                       "how many ways can you arrange the letters of the word {word}",
                       "in how many ways can {a} people be seated in a row if two of them must sit together?",
                       "how many different {a}-digit codes have no repeated digit?"],
    "summarization_extraction": [
        "From these logs, list every ERROR line's time and service:\n\n{log}",
        "{log}\n\nwhich services had errors and when?", "pull the warnings and errors out of this log:\n{log}",
        "{record}\n\nwhich entries are over {c}? give me date and amount",
        "Here's a customer support ticket. Give me: customer name, order number, the problem, what they want.\n\n{ticket}",
        "{ticket}\n\nextract the name, order number and request as JSON",
        "From this recipe, list just the ingredients with quantities, plus oven temperature and time.\n\n{recipe}",
        "{recipe}\n\njust the ingredient list please",
        "Please read this log and tell me which errors happened, how many times each, and when first.\n\n{log}",
        "Can you pull the invoice number, dates, line items and total out of this? Put it in a table.\n\n{record}",
    ],
    "classification": [
        "Classify each job title by seniority (entry, mid, senior, executive):\n{titles}",
        "Assign a priority (P1, P2 or P3) to this ticket:\n\"{text}\"",
        "Sort these app reviews into bug report, feature request, praise or pricing complaint:\n{reviews}",
        "tag each review as bug / feature request / praise:\n{reviews}",
        "mark it as {cap_labels}: \"{cap_item}\"", "Tell me if each of these is {cap_labels}:\n{cap_items}",
        "does this message count as {label_a}? answer yes or no and explain briefly\n\n\"{text}\"",
        "What language is this? \"{foreign}\"", "Here's a student's answer, grade it as {cap_labels}:\n\n\"{text}\"",
        "Classify each of these into one of: {cap_labels}. Just the number and the label.\n{cap_items}",
    ],
}
