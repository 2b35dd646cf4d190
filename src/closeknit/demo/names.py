"""Built-in vocabularies for the demo network: names, places, companies, titles, skills (all invented)."""

from __future__ import annotations

from typing import NamedTuple


class Origin(NamedTuple):
    """Naming tradition: given and family names and the countries people of it often live in."""

    key: str
    given: tuple[str, ...]
    family: tuple[str, ...]
    home: tuple[str, ...]  # city keys


class City(NamedTuple):
    key: str
    name: str
    region: str
    country: str
    tz: str
    phone: str  # phone plan key in PHONE_PLANS


class Company(NamedTuple):
    name: str
    industry: str


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ORIGINS: tuple[Origin, ...] = (
    Origin(
        "anglo",
        _split("James Mary Robert Patricia Michael Jennifer William Elizabeth David Katherine Richard Susan "
               "Joseph Margaret Thomas Sarah Christopher Jessica Daniel Emily Matthew Rebecca Andrew Olivia "
               "Jonathan Hannah Benjamin Grace Samuel Charlotte Nicholas Abigail"),
        _split("Whitaker Pemberton Caldwell Hargrove Ashford Blackwood Fairbanks Holloway Kingsley Lockhart "
               "Merriweather Northcott Prescott Radcliffe Sutherland Thornbury Underwood Waverly Yardley "
               "Bramwell Carrington Davenport Ellsworth Fenwick Gallagher Hawthorne Langley Montgomery "
               "Ridley Stanton"),
        ("sf", "nyc", "boston", "seattle", "austin", "chicago", "london", "toronto"),
    ),
    Origin(
        "hispanic",
        _split("José María Alejandro Lucía Javier Sofía Andrés Valentina Diego Camila Mateo Inés Santiago "
               "Ximena Rodrigo Paloma Álvaro Marisol Tomás Renata Joaquín Beatriz Iñigo Ángela"),
        _split("Núñez García Fernández Ibáñez Muñoz Castillo Domínguez Herrera Jiménez Ortega Peña Ramírez "
               "Salazar Vázquez Zamora Echeverría Cordero Bermúdez Arriaga Quintero"),
        ("madrid", "mexico", "saopaulo", "sf", "austin"),
    ),
    Origin(
        "german",
        _split("Jürgen Anke Matthias Katharina Stefan Dörte Tobias Franziska Lukas Jana Sebastian Annika "
               "Florian Lena Maximilian Birgit Johannes Henrike Wolfgang Ute"),
        _split("Müller Schröder Weiß Günther Köhler Schäfer Hoffmann Becker Wagner Krüger Lehmann Vogel "
               "Fuchs Brandt Zimmermann Hartmann Engel Böhm Kühn Sommer"),
        ("berlin", "munich", "amsterdam"),
    ),
    Origin(
        "french",
        _split("Amélie François Hélène Sébastien Chloé Benoît Margaux Étienne Océane Jérôme Léa Théo Cécile "
               "Gaël Noémie Rémi Élodie Loïc Zoë Aurélien"),
        _split("Lefèvre Dubois Moreau Girard Fournier Mercier Bonnet Rousseau Chevalier Lambert Faure "
               "Gauthier Perrin Marchand Delacroix Beaumont"),
        ("paris", "london", "montreal"),
    ),
    Origin(
        "italian",
        _split("Giuseppe Francesca Alessandro Chiara Lorenzo Giulia Matteo Federica Niccolò Beatrice Davide "
               "Ilaria Riccardo Martina Tommaso Elisa"),
        (*_split("Rossi Bianchi Esposito Romano Colombo Ricci Marino Greco Bruno Galli Conti Mancini "
                 "Lombardi Moretti Barbieri"), "De Luca"),
        ("milan", "london", "nyc"),
    ),
    Origin(
        "nordic",
        _split("Søren Ingrid Lars Astrid Mikkel Sigrid Björn Freja Henrik Maja Anders Liv Øystein Karin "
               "Jens Saga"),
        _split("Andersen Johansson Lindqvist Nyström Halvorsen Sørensen Bergström Dahl Åkesson Holm Lund "
               "Ekström Solberg Østergaard"),
        ("stockholm", "copenhagen", "berlin"),
    ),
    Origin(
        "slavic",
        _split("Łukasz Agnieszka Tomasz Zuzana Jiří Katarzyna Marek Ivana Paweł Milena Ondřej Dorota Piotr "
               "Tereza Dmitri Olena"),
        _split("Kowalski Nowak Dvořák Wiśniewski Horváth Zieliński Kovačević Procházka Lewandowski Šimek "
               "Petrenko Kozlov Wójcik Jankowski Marković Krawczyk"),
        ("warsaw", "berlin", "london"),
    ),
    Origin(
        "indian",
        _split("Priya Arjun Ananya Rohan Kavya Vikram Deepika Rahul Sneha Aditya Meera Karthik Ishaan Nisha "
               "Sanjay Pooja Aarav Lakshmi"),
        _split("Sharma Iyer Patel Reddy Nair Chatterjee Gupta Menon Kulkarni Banerjee Rao Desai Krishnan "
               "Joshi Mehta Pillai"),
        ("bangalore", "sf", "seattle", "london", "singapore"),
    ),
    Origin(
        "chinese",
        _split("Wei Mei Jun Xiaoling Hao Yan Lei Jing Tao Lina Zhiwei Ying Bo Qian Jian Hui"),
        _split("Zhang Wang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo Lin"),
        ("shanghai", "singapore", "sf", "seattle", "toronto"),
    ),
    Origin(
        "japanese",
        _split("Haruto Yui Sota Aoi Ren Hina Takumi Sakura Kenji Yuki Daichi Emi Hiroshi Naomi"),
        _split("Satō Suzuki Takahashi Tanaka Watanabe Itō Yamamoto Nakamura Kobayashi Katō Yoshida Yamada "
               "Sasaki Matsumoto"),
        ("tokyo", "sf"),
    ),
    Origin(
        "mideast",
        _split("Omar Layla Youssef Fatima Karim Yasmin Tariq Noor Emre Elif Mehmet Zeynep Hamza Rania Samir "
               "Leila"),
        _split("Haddad Khalil Mansour Nasser Saleh Farouk Aziz Rahman Yılmaz Öztürk Demir Çelik Şahin "
               "Aydın Karaca El-Amin"),
        ("dubai", "berlin", "london"),
    ),
    Origin(
        "african",
        _split("Chinedu Ngozi Oluwaseun Adaeze Kwame Ama Kofi Abena Tendai Wanjiru Thabo Nomvula Emeka "
               "Folake Jabari Zawadi"),
        _split("Okafor Adeyemi Mensah Owusu Boateng Nwosu Okonkwo Mwangi Otieno Dlamini Ndlovu Eze Abiodun "
               "Asante Kamau Nkosi"),
        ("lagos", "nairobi", "london", "nyc"),
    ),
)

# Twenty slots per cycle of person numbers: how often each origin appears.
ORIGIN_SLOTS: tuple[int, ...] = (0, 1, 0, 2, 7, 0, 3, 8, 1, 4, 0, 9, 5, 2, 10, 6, 11, 7, 8, 0)

NICKNAMES: dict[str, str] = {
    "Robert": "Bob", "William": "Will", "Elizabeth": "Liz", "Katherine": "Kate", "Jennifer": "Jen",
    "Michael": "Mike", "Christopher": "Chris", "Jonathan": "Jon", "Margaret": "Maggie", "Benjamin": "Ben",
    "Samuel": "Sam", "Nicholas": "Nick", "Daniel": "Dan", "Matthew": "Matt", "Andrew": "Andy",
    "Rebecca": "Becky", "Abigail": "Abby", "Joseph": "Joe", "Thomas": "Tom", "James": "Jim",
    "Alejandro": "Alex", "Santiago": "Santi", "Francesca": "Fran", "Giuseppe": "Beppe", "Alessandro": "Sandro",
    "Maximilian": "Max", "Johannes": "Hannes", "Katharina": "Kathi", "Sebastian": "Basti", "Franziska": "Franzi",
    "Oluwaseun": "Seun", "Aditya": "Adi", "Vikram": "Vik", "Dmitri": "Dima", "Lorenzo": "Enzo",
    "Tommaso": "Tommy", "Valentina": "Vale", "Jiří": "Jirka", "Katarzyna": "Kasia", "Agnieszka": "Aga",
    "Matthias": "Matze", "Wolfgang": "Wolf", "Rodrigo": "Rodri", "Patricia": "Pat", "Susan": "Sue",
}

# German-style transliterations used for near-duplicate spellings ("Müller" -> "Mueller").
TRANSLITERATIONS = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"))

CITIES: tuple[City, ...] = (
    City("sf", "San Francisco", "CA", "United States", "America/Los_Angeles", "us415"),
    City("nyc", "New York", "NY", "United States", "America/New_York", "us212"),
    City("boston", "Boston", "MA", "United States", "America/New_York", "us617"),
    City("seattle", "Seattle", "WA", "United States", "America/Los_Angeles", "us206"),
    City("austin", "Austin", "TX", "United States", "America/Chicago", "us512"),
    City("chicago", "Chicago", "IL", "United States", "America/Chicago", "us312"),
    City("toronto", "Toronto", "ON", "Canada", "America/Toronto", "ca416"),
    City("montreal", "Montréal", "QC", "Canada", "America/Toronto", "ca514"),
    City("london", "London", "", "United Kingdom", "Europe/London", "gb20"),
    City("berlin", "Berlin", "", "Germany", "Europe/Berlin", "de30"),
    City("munich", "München", "", "Germany", "Europe/Berlin", "de89"),
    City("paris", "Paris", "", "France", "Europe/Paris", "fr1"),
    City("madrid", "Madrid", "", "Spain", "Europe/Madrid", "es91"),
    City("milan", "Milano", "", "Italy", "Europe/Rome", "it02"),
    City("amsterdam", "Amsterdam", "", "Netherlands", "Europe/Amsterdam", "nl20"),
    City("stockholm", "Stockholm", "", "Sweden", "Europe/Stockholm", "se8"),
    City("copenhagen", "København", "", "Denmark", "Europe/Copenhagen", "dk"),
    City("warsaw", "Warszawa", "", "Poland", "Europe/Warsaw", "pl22"),
    City("bangalore", "Bengaluru", "KA", "India", "Asia/Kolkata", "in80"),
    City("shanghai", "Shanghai", "", "China", "Asia/Shanghai", "cn21"),
    City("tokyo", "Tokyo", "", "Japan", "Asia/Tokyo", "jp3"),
    City("singapore", "Singapore", "", "Singapore", "Asia/Singapore", "sg"),
    City("dubai", "Dubai", "", "United Arab Emirates", "Asia/Dubai", "ae4"),
    City("lagos", "Lagos", "", "Nigeria", "Africa/Lagos", "ng1"),
    City("nairobi", "Nairobi", "", "Kenya", "Africa/Nairobi", "ke20"),
    City("saopaulo", "São Paulo", "SP", "Brazil", "America/Sao_Paulo", "br11"),
    City("mexico", "Ciudad de México", "CDMX", "Mexico", "America/Mexico_City", "mx55"),
)
CITY = {c.key: c for c in CITIES}
# Where people live when not near their origin's usual places: weighted towards tech hubs.
GLOBAL_CITIES: tuple[str, ...] = (
    "sf", "sf", "sf", "nyc", "nyc", "boston", "seattle", "austin", "london", "london", "berlin", "paris",
    "amsterdam", "toronto", "singapore", "chicago", "munich", "stockholm",
)

# Phone plans: (country code, area code, first subscriber number, digit groups of the subscriber number).
# Subscriber numbers are `first + n` for a person number n, so every person's number is unique; the
# US/Canada plans use the fictional 555-01xx range first (RFC-style "555" exchange).
PHONE_PLANS: dict[str, tuple[str, str, int, tuple[int, ...]]] = {
    "us415": ("1", "415", 5550100, (3, 4)),
    "us212": ("1", "212", 5550100, (3, 4)),
    "us617": ("1", "617", 5550100, (3, 4)),
    "us206": ("1", "206", 5550100, (3, 4)),
    "us512": ("1", "512", 5550100, (3, 4)),
    "us312": ("1", "312", 5550100, (3, 4)),
    "ca416": ("1", "416", 5550100, (3, 4)),
    "ca514": ("1", "514", 5550100, (3, 4)),
    "gb20": ("44", "20", 79460000, (4, 4)),
    "gb7700": ("44", "7700", 900000, (6,)),
    "de30": ("49", "30", 20000000, (4, 4)),
    "de89": ("49", "89", 20000000, (4, 4)),
    "de151": ("49", "151", 20000000, (4, 4)),
    "fr1": ("33", "1", 40000000, (2, 2, 2, 2)),
    "es91": ("34", "91", 4000000, (3, 2, 2)),
    "it02": ("39", "02", 40000000, (4, 4)),
    "nl20": ("31", "20", 5000000, (3, 4)),
    "se8": ("46", "8", 5000000, (3, 2, 2)),
    "dk": ("45", "", 32000000, (2, 2, 2, 2)),
    "pl22": ("48", "22", 5000000, (3, 2, 2)),
    "in80": ("91", "80", 40000000, (4, 4)),
    "cn21": ("86", "21", 50000000, (4, 4)),
    "jp3": ("81", "3", 50000000, (4, 4)),
    "sg": ("65", "", 61000000, (4, 4)),
    "ae4": ("971", "4", 3000000, (3, 4)),
    "ng1": ("234", "1", 2700000, (3, 4)),
    "ke20": ("254", "20", 2000000, (3, 4)),
    "br11": ("55", "11", 30000000, (4, 4)),
    "mx55": ("52", "55", 50000000, (4, 4)),
}
MOBILE_PLANS = {"gb20": "gb7700", "de30": "de151", "de89": "de151"}

INDUSTRIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # industry: (titles, skills)
    "robotics": (
        ("Head of Perception", "Perception Engineer", "Robotics Software Engineer", "VP Engineering",
         "Founder & CEO", "Director of Hardware", "Product Manager, Autonomy", "Field Applications Engineer"),
        ("lidar perception", "sensor fusion", "SLAM", "motion planning", "embedded systems", "ROS 2",
         "functional safety", "computer vision"),
    ),
    "fintech": (
        ("Head of Payments", "Risk Analyst", "CFO", "Compliance Officer", "Staff Engineer", "Founder & CEO",
         "VP Partnerships", "Product Lead"),
        ("payments compliance", "fraud detection", "open banking", "KYC", "treasury", "card issuing",
         "credit risk"),
    ),
    "venture": (
        ("Partner", "Principal", "Associate", "Venture Partner", "Managing Director", "Platform Lead",
         "Talent Partner"),
        ("series A fundraising", "seed investing", "board governance", "due diligence", "fund administration",
         "portfolio support"),
    ),
    "software": (
        ("Staff Software Engineer", "Engineering Manager", "CTO", "Head of Sales", "Account Executive",
         "Product Manager", "Customer Success Lead", "Solutions Architect", "Head of Growth"),
        ("enterprise sales", "pricing strategy", "kubernetes", "data engineering", "security audits",
         "developer relations", "product-led growth", "machine learning ops"),
    ),
    "biotech": (
        ("Chief Scientific Officer", "Research Scientist", "Regulatory Affairs Manager", "Lab Director",
         "Clinical Operations Lead", "Founder & CEO"),
        ("clinical trials", "FDA regulatory", "genomics", "bioinformatics", "CRISPR", "lab automation"),
    ),
    "consulting": (
        ("Principal", "Senior Consultant", "Partner", "Managing Director", "Engagement Manager", "Analyst"),
        ("go-to-market strategy", "operations turnaround", "M&A integration", "pricing strategy",
         "supply chain"),
    ),
    "logistics": (
        ("Operations Manager", "Head of Fleet", "Supply Chain Director", "COO", "Logistics Analyst"),
        ("last-mile delivery", "warehouse automation", "freight forwarding", "supply chain", "route optimisation"),
    ),
    "energy": (
        ("Grid Engineer", "Head of Business Development", "Project Developer", "CEO", "Battery Engineer"),
        ("battery storage", "grid interconnection", "solar development", "energy trading", "EV charging"),
    ),
    "media": (
        ("Editor", "Head of Content", "Producer", "Creative Director", "Journalist"),
        ("storytelling", "podcast production", "PR", "brand strategy", "event hosting"),
    ),
    "academia": (
        ("Professor", "Postdoctoral Researcher", "PhD Candidate", "Lecturer", "Lab Manager"),
        ("machine learning", "computer vision", "materials science", "economics research", "grant writing"),
    ),
}

COMPANIES: tuple[Company, ...] = (
    Company("Northwind Robotics", "robotics"), Company("Kestrel Autonomy", "robotics"),
    Company("Ironbark Motion", "robotics"), Company("Helix Drones", "robotics"),
    Company("Lumen Lidar", "robotics"), Company("Atlas Mobility", "robotics"),
    Company("Copperline Payments", "fintech"), Company("Ledgerlight", "fintech"),
    Company("Brightpath Bank", "fintech"), Company("Tidewater Fintech", "fintech"),
    Company("Foundry Row Ventures", "venture"), Company("Redwood Ridge Capital", "venture"),
    Company("Meridian Seed Partners", "venture"), Company("Northstar Growth", "venture"),
    Company("Cloudberry Software", "software"), Company("Pipewell Analytics", "software"),
    Company("Sparrowhawk Systems", "software"), Company("Orbital Data", "software"),
    Company("Nimbus CRM", "software"), Company("Glasswing Security", "software"),
    Company("Quillfeather", "software"), Company("Tessellate AI", "software"),
    Company("Verdant Bio", "biotech"), Company("Cellwise Therapeutics", "biotech"),
    Company("Helios Genomics", "biotech"),
    Company("Brightwater Partners", "consulting"), Company("Keystone Advisory", "consulting"),
    Company("Halden & Roe", "consulting"),
    Company("Bluefin Logistics", "logistics"), Company("Cargoloop", "logistics"),
    Company("Portside Freight", "logistics"),
    Company("Solstice Grid", "energy"), Company("Windward Energy", "energy"),
    Company("Voltaic Storage", "energy"),
    Company("Paperkite Media", "media"), Company("Studio Lumière", "media"),
    Company("Eastbridge University", "academia"), Company("Institut Polaris", "academia"),
)
MY_COMPANY = Company("Morgan Consulting", "consulting")

OFFERS = (
    "intros to robotics OEMs", "advice on pricing", "reviewing pitch decks", "hiring referrals",
    "warm intros to seed investors", "beta access for pilots", "speaking slots at meetups",
    "mentoring first-time managers", "feedback on go-to-market plans",
)
NEEDS = (
    "hiring ML engineers", "a design partner for a pilot", "series A lead investor", "a fractional CFO",
    "customers in logistics", "a lidar supplier", "a regulatory expert in the EU", "a co-founder (CTO)",
    "introductions to utilities",
)
MET_AT = (
    "Met at RoboSummit", "Former colleague", "Intro via a mutual friend", "Met at a founders dinner",
    "Client project", "Conference panel", "University alumni", "Met at a meetup",
)

TOPICS = (
    "Coffee next week?", "Quick question about {skill}", "Intro: {company}", "Following up",
    "Deck for {company}", "Catch-up", "Notes from today", "Thoughts on {skill}?", "Proposal draft",
    "Hiring question", "Your talk", "Pilot with {company}", "Happy new year!", "Dinner on Thursday",
    "Reference check", "Board meeting prep", "Can you help with {skill}?", "Article you might like",
)
LINES = (
    "Would love to hear how things are going.", "Attaching the notes from our call.",
    "Are you free for a quick chat this week?", "Thanks again for the introduction, it went really well.",
    "Happy to help, just tell me what you need.", "Let me check with the team and get back to you.",
    "Could you send me the latest numbers?", "Great to see you the other day.",
    "I think you two should meet.", "Looks good to me, a couple of small comments inline.",
    "Sorry for the slow reply, busy week.", "Congrats on the launch!", "Let's find a time next month.",
    "Do you know anyone who works on this?", "Sharing the draft as promised.",
)
REPLIES = (
    "Sounds great, thanks!", "Works for me.", "Will do.", "Thanks, that's really helpful.",
    "Yes, Tuesday is fine.", "Let me think about it and come back to you.", "Perfect, see you then.",
    "Good call, I'll loop them in.", "Ha, agreed.", "Done, sent it over.",
)

NEWSLETTERS = (
    # (display name, list id, sender address, subject pattern)
    ("Robotics Weekly", "robotics-weekly.lists.example.org", "newsletter@lists.example.org",
     "Robotics Weekly #{n}: this week in autonomy"),
    ("The Seed Letter", "seed-letter.news.example.com", "no-reply@news.example.com",
     "The Seed Letter — issue {n}"),
    ("SaaS Metrics Digest", "digest.saasmetrics.example.net", "digest@saasmetrics.example.net",
     "Your weekly SaaS metrics digest ({n})"),
)
NOTIFIERS = (
    ("Calendar", "no-reply@calendar.example.com", "Reminder: {what}"),
    ("Expense tool", "notifications@expenses.example.com", "Your expense report #{n} was approved"),
)
