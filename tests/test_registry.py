"""The recognizer registry (models/detection.yaml `recognizers:` and models/patterns.yaml): every
enabled recognizer has a table of what it must find and what must stay readable, in the shapes
real transcripts, messages, posts and reports use (values invented).

The pipeline decides (rules are kept as matched; the rest go through the learned decision), so a
row checks the whole detector on text where that recognizer is the one that matters.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redact.config import load_detection_config

# recognizer -> rows of (text, value that must be covered by a detected span)
FOUND = {
    "email": [("Write to dana.k@example.org before Friday.", "dana.k@example.org")],
    "phone": [("Call me back on +44 20 7946 0958 after six.", "+44 20 7946 0958"),
              ("Her cell is (555) 201-3344.", "(555) 201-3344")],
    "ip": [("The kiosk logged in from 192.168.14.22 twice.", "192.168.14.22")],
    "us-ssn": [("SSN on the form: 123-45-6789", "123-45-6789")],
    "credit-card": [("He read out the card 4111 1111 1111 1111 on the call.", "4111 1111 1111 1111")],
    "iban": [("Refund to GB82 WEST 1234 5698 7654 32 please.", "GB82 WEST 1234 5698 7654 32")],
    "ner": [("Yesterday Marcus Delaney drove up from Cincinnati.", "Marcus Delaney"),
            ("Kit and her partner asked about breakfast hours at the drop-in.", "Kit"),   # no device's word
            # initials that clinical shorthand also spells
            ("Reviewed with peer D.P. at intake; signed O.T.A. at 3pm.", "D.P."),
            ("Reviewed with peer D.P. at intake; signed O.T.A. at 3pm.", "O.T.A."),
            ("Seen by DP Okafor and BS Lee today.", "DP Okafor"),
            ("Seen by DP Okafor and BS Lee today.", "BS Lee"),
            # a party named by an everyday word's plural
            ("In the ten years the Conservatives were in power, rents doubled.", "Conservatives"),
            ("The Liberals passed the bill in December.", "Liberals")],
    "name-cues": [("[00:03:12] BRENDA: I was scared.", "BRENDA"),
                  # a field a person fills, where the name is also a word of the clinical vocabulary
                  ("CC: Stone, Okafor\nSubject: the intake on Friday", "Stone"),
                  ("Plan: weekly contact until she starts work. Next: 3/16.\n\n— S.R.", "S.R."),  # signed initials
                  ("PT SEEN BY DR. LONG THIS AM.", "LONG"),          # a title's stop, split off in capitals
                  ("Baker was late again. Hope was there too.", "Baker"),  # a surname opening a sentence
                  ("MET WITH A MR. JONES FROM DSS.", "JONES"),        # an article before a title, not the name
                  ("pls tell mr.tan i will be late", "tan"),         # a title glued to the name
                  ("PT SEEN BY DR. ADOMAITIS TODAY.", "ADOMAITIS"),  # a surname that ends like an inflammation
                  ("PT UPSET AFTER CALL. SPOKE WITH FRANK ABOUT THE PLAN.", "FRANK"),  # a frequent given name
                  ("Facilitator: Dee Okafor\nTopic: coping with the holidays", "Dee Okafor"),  # a field
                  ("My SIL Jenna and my FIL both came.", "Jenna")],                 # kin as posts abbreviate
    "places": [("We live in Olathe now.", "Olathe"),
               ("bus broke down so im stuck in chennai till tmr", "chennai"),   # a city abroad, lower case
               # a town that is also a given name, without case
               ("SINUS RHYTHM. GREW UP IN CHELSEA. PLAN D/C HOME.", "CHELSEA"),
               ("ok so my cousin moved to phoenix last yr", "phoenix")],
    "rows": [("date|name|zip\n7/15|Joost|34712\n7/22|May Larrea|85148", "34712")],
    "proper-nouns": [("i'll meet u at tampines mrt later", "tampines"),
                     ("Loved the premiere last night #DanaWhitfield", "DanaWhitfield"),  # a name in a hashtag
                     ("WE WATCHED THE FARMER FIX THE FENCE, THEN THE RCMP CAME.", "RCMP")],  # an acronym after "the"
    # in capitals an organisation's own word, or common words only, keep a clinical-sounding name one
    "known-organizations": [("ADMITTED TO LUMBAR SPINE ASSOCIATES FOR REHAB.", "LUMBAR SPINE ASSOCIATES"),
                            ("PT WENT TO MAPLE RIDGE AFTER DISCHARGE, WORKS AT SILVER LAKE FOODS.", "MAPLE RIDGE"),
                            ("She got the job at Walgreens on Main.", "Walgreens"),
                            ("Will the Liberals fund the warmline?", "Liberals")],  # parties are organisations
    "age": [("A 34-year-old woman came in.", "34"), ("He was aged forty-five when it started.", "forty-five"),
            ("Her three-year-old starts nursery soon.", "three"),                  # an age in words
            ("The baby is a two-and-a-half-month-old boy.", "two-and-a-half"),
            ("Most of the 16 and 17-year-olds came.", "16"),                       # coordinated ages
            ("His grandmother is in her 90s and sharp.", "90s"),                  # Safe Harbor's 90+
            ("Her son is seventeen and back in school.", "seventeen"),             # kin, in words
            ("When I was seventeen I left home.", "seventeen"),
            ("Client: She's, like, forty-one and still at home.", "forty-one"),    # spoken, with fillers
            ("Honestly I'm, uh, 45 and tired.", "45"),
            ("Between ages 5 to 8 we moved a lot.", "8"),                          # a range's end
            ("Participante: Rosa Medina (prefiere Rosi). Edad: 57.", "57"),         # a bilingual note
            ("Me [F31] and my husband [M, 33] keep fighting.", "33"),              # sex, then age
            ("32/F here, sober two years.", "32"),
            ("It started at age three and a half.", "three and a half"),
            ("She was approximately 19 when the voices began.", "19"),
            ("My boyfriend is 18 and I am 19.", "18"),                              # kin, in digits
            ("He first used when he was 17 or 18, he thinks.", "18"),              # an age's alternative
            ("My son Tyler is 9 and loves trains.", "9"),                           # kin, named
            ("The patient is 5-1/2 years old and here with her mom.", "5-1/2")],   # a mixed fraction
    "age-parenthesised": [("Walter (38) is new to group.", "38")],
    "date": [("We met on June 5th to talk.", "June 5th"), ("She was born on 23/04/1981 there.", "23/04/1981"),
             ("Seen in clinic 5/5 and again on 6/12.", "5/5"),                      # not a grade
             ("On July1st we will all be there.", "July1st"),                       # typed without a space
             ("It was the twelfth of March, I think.", "twelfth of March"),         # an ordinal said aloud
             ("She moved out in late Nov and never called.", "Nov"),                # a month abbreviated
             ("I got out on the twenty-third and stayed clean.", "the twenty-third"),  # said aloud
             ("He was discharged yesterday the twelfth, call me.", "the twelfth"),
             ("Call back Tuesday the fourteenth, after group.", "Tuesday the fourteenth"),
             ("Intake moved to 3/12 at 2:15 PM, room 4.", "3/12 at 2:15 PM"),             # a timestamp
             ("Says she has been sober from alcohol as of the 2nd. No use since.", "the 2nd")],
    "date-full": [("A 7/3/95 echocardiogram showed no change.", "7/3/95"),       # whatever the words around
                  ("Logged 2026-03-04 by the night staff.", "2026-03-04")],
    "spoken-zip": [("Caller: my zip is one five two one three.", "one five two one three")],
    "time": [],  # times of day are not identifiers under the default policy
    "phone-international": [("Text me on +31 (0)20 794 6095 when you land.", "+31 (0)20 794 6095")],
    "ssn": [("SSN (last 4): xxx-xx-4471", "xxx-xx-4471")],
    "id-number": [("MRN 00482913 on file.", "00482913")],
    "zip": [("Moved to Dayton, OH 45402 in spring.", "45402")],
    "postcode": [("Her new flat is at 14 Ashby Road, Leeds LS6 2QT.", "LS6 2QT"),
                 ("Her postcode is 2911OH I think.", "2911OH"),                      # Dutch, written as one
                 ("The postcode is 85-088, near the station.", "85-088")],             # Polish
    "postcode-digits": [("Ship it to Keizersgracht 12, 1015 CS Amsterdam.", "1015 CS")],
    "street-address-intl": [("Sie wohnt in der Lindenstraße 12 seit Mai.", "Lindenstraße 12"),
                            ("Die Praxis ist in der Lindenstraße 3-5 im Hof.", "Lindenstraße 3-5"),  # a range
                            ("Ze woont nu op de Tulpsingel 14, vlakbij het station.", "Tulpsingel 14"),
                            ("Hon bor på Björkvägen 7 i Umeå.", "Björkvägen 7"),
                            ("Abita in Contrada Fiorita, 21 da anni.", "Contrada Fiorita, 21"),
                            ("A clínica fica na Quadra das Palmeiras, 393 agora.", "Quadra das Palmeiras, 393"),
                            ("Mieszka przy ul. Kwiatowej 7/2 w Krakowie.", "ul. Kwiatowej 7/2"),
                            ("Our office: 21/4, Gandhi Marg, near the temple.", "21/4, Gandhi Marg")],
    "street-address": [("Lives at 1420 Oak Street, Apt 3B now.", "1420 Oak Street, Apt 3B"),
                       ("Send it to 12 Banksia Parade, Manly.", "12 Banksia Parade"),
                       ("WE LIVE OFF 5TH AND MAIN IN DAYTON.", "5TH AND MAIN"),             # in capitals
                       ("The shelter van stops on SR 9A by the clinic.", "SR 9A")],
    "handle": [("Her IG is @tina_rides now.", "@tina_rides"), ("thanks u/quietriver_88 for this", "u/quietriver_88"),
               ("RT quietriver_88 : see you at group", "quietriver_88")],      # a retweet's handle without "@"
    "facility": [("She stays at Harbor Light Shelter.", "Harbor Light Shelter")],
    "initials": [("Note by J. Ortiz after group.", "J. Ortiz")],
    "spelled-out": [("That's F-A-L-C-O-N-E-R, like the bird.", "F-A-L-C-O-N-E-R")],
    "county": [("She moved out to Greene County in June.", "Greene County")],
    "possessive-place": [("We grabbed coffee at Willie McBride's after.", "Willie McBride")],
    "url": [("Visit www.example-clinic.org for the hours.", "www.example-clinic.org"),
            ("LINK SENT: HTTPS://EXAMPLE.ORG/INTAKE/F7", "HTTPS://EXAMPLE.ORG/INTAKE/F7"),  # a scheme in capitals
            ("Form is at https://example.org/intake?id=7 now.", "https://example.org/intake?id=7")],
    "chat-partner": [("text thread - robert290\nhey u up", "robert290")],
    "nickname": [('He goes by "Dub" at the house.', "Dub")],
}

# recognizer -> rows of (text, word that must stay readable)
READABLE = {
    "phone": [("Pain went from 7 to 4 over 2 weeks, 120/80 today.", "120/80"),
              ("ENDO: RISS, BS 140-180. INSULIN GTT OFF.", "140-180"),          # a range, not a Dutch number
              ("NPN 0700-1900: NEURO INTACT, AFEBRILE.", "0700-1900"),           # a shift in 24-hour time
              ("ABG 7.36/42/98 ON 40%, WEANING.", "36/42/98"),                   # a blood gas
              ("OK, counting down: one, two, three, four, five, six, seven.", "four, five")],  # counting
    "phone-international": [("Scores went +2 3 4 5 6 7 8 over the weeks.", "+2 3 4")],  # no country's length
    "url": [("I just feel.so tired all the time....like nothing helps", "feel.so")],
    "ner": [("Project Manager: Okay, so shall we start?\nMarketing: Mm-hmm.", "Marketing"),
            ("GU: UO 40-60CC/HR CLEAR YELLOW. BUN/CR 22/1.1, K 3.6.", "22/1.1"),  # a reading over a reading
            # therapies and kinds of program are content, not organisations
            ("She finished a Dialectical Behavior Therapy skills group in May.", "Dialectical Behavior Therapy"),
            ("We tried Acceptance and Commitment Therapy with Dr. Ruiz.", "Acceptance"),
            ("EPIDURAL PLACED AT L4-5 WITH A TUOHY NEEDLE, LOSS OF RESISTANCE.", "TUOHY"),  # an eponym
            ("Underwent a Kessler-Brandt cystopexy in 2019, no complications.", "Kessler-Brandt"),
            # instruments and anatomy named after someone
            ("The flap edges were trimmed with Westcott scissors and closed.", "Westcott"),
            ("The upper pole was freed from Berry's ligament on both sides.", "Berry"),
            ("THE UPPER POLE WAS FREED FROM BERRY'S LIGAMENT ON BOTH SIDES.", "BERRY"),
            ("A Racz tunnel catheter was placed; no Roth spots were seen.", "Racz"),   # a noun between
            ("A Racz tunnel catheter was placed; no Roth spots were seen.", "Roth"),
            # drains, drills, ointments and dynamometers are named for their makers too
            ("A 15 FR BLAKE DRAIN WAS LEFT IN THE WOUND.", "BLAKE"),
            ("The bone was shaped with the Midas Rex drill.", "Midas Rex"),
            ("Grip was 20 kg on Jamar dynamometry.", "Jamar"),
            ("Apply Biofreeze ointment to the neck twice daily.", "Biofreeze"),
            ("Wrists: positive Phalen's test on the right, negative Tinel.", "Phalen"),   # a sign or test
            ("She was fitted with a Boston brace at fourteen.", "Boston"),       # a place names a device
            # a condition named by its eponym alone
            ("My brother has Asperger's and my dad has Parkinson's.", "Asperger"),
            ("My brother has Asperger's and my dad has Parkinson's.", "Parkinson"),
            ("Living with Crohn's is exhausting some weeks.", "Crohn"),
            # a scraped profile's credential run into its next field
            ("Therapist (Dana Whitfield, NCCBilingual Counselor, NCC):\nThat sounds hard.", "NCCBilingual")],
    "proper-nouns": [("RESP: LS CLEAR. NEURO: A&O X3. ABD SOFT. CONT LASIX, FOLEY PATENT.", "LASIX"),
                     # intensive-care shorthand, some of it also a name list's ("LUE", "MI")
                     ("RESP: ON 4L NC, RSBI 45, SBT IN AM. CV: ST 110S ON LEVO.", "NC"),
                     ("RESP: ON 4L NC, RSBI 45, SBT IN AM. CV: ST 110S ON LEVO.", "RSBI"),
                     ("RESP: ON 4L NC, RSBI 45, SBT IN AM. CV: ST 110S ON LEVO.", "ST"),
                     ("RESP: ON 4L NC, RSBI 45, SBT IN AM. CV: ST 110S ON LEVO.", "LEVO"),
                     ("H/O MI 2019. LUE WEAKER THAN RUE. CALL HO WITH UOP < 30.", "MI"),
                     ("H/O MI 2019. LUE WEAKER THAN RUE. CALL HO WITH UOP < 30.", "LUE"),
                     ("H/O MI 2019. LUE WEAKER THAN RUE. CALL HO WITH UOP < 30.", "HO"),
                     ("PMH: CHF, CRI. On RA, sats 97%. SW consult in AM.", "CRI"),
                     ("CN: II-XII intact. Follows up for MGUS; wound VAC to the sacrum.", "CN"),
                     # a hashtag run together from everyday words is a slogan
                     ("So proud of the team tonight #ClearDreamMatch #HeyThatsSoTrue", "ClearDreamMatch"),
                     ("So proud of the team tonight #ClearDreamMatch #HeyThatsSoTrue", "HeyThatsSoTrue"),
                     # a word "the" opens in capitals is a thing
                     ("SHE TALKED ABOUT THE MOON AND THE STARS ALL NIGHT.", "MOON"),
                     # a vocabulary term in the plural
                     ("CT CHEST: PATCHY CONSOLIDATIONS IN BOTH BASES, NO EFFUSION.", "CONSOLIDATIONS"),
                     ("MRI: MULTIPLE GLIOMAS NOTED. FONTANELS FLAT.", "GLIOMAS"),
                     ("MRI: MULTIPLE GLIOMAS NOTED. FONTANELS FLAT.", "FONTANELS"),
                     # nursing shorthand: a stimulus, amounts, wall suction
                     ("NEURO: MAE TO PAINFUL STIM. RESP: SXN'D FOR MOD AMTS. GI: OGT TO LCWS.", "STIM"),
                     ("NEURO: MAE TO PAINFUL STIM. RESP: SXN'D FOR MOD AMTS. GI: OGT TO LCWS.", "AMTS"),
                     ("NEURO: MAE TO PAINFUL STIM. RESP: SXN'D FOR MOD AMTS. GI: OGT TO LCWS.", "LCWS"),
                     # nursing shorthand in a note written in mixed case
                     ("CV: Chest tubes x2 to -20 sxn, draining scant serosang, no air leak.", "serosang"),
                     # a drug's release after its name
                     ("MEDICATIONS: Wellbutrin XL 450 mg daily, Ritalin 60 mg daily.", "XL"),
                     # a rare word built from a common one
                     ("COGNITION: FOLLOWS 2-STEP COMMANDS WITH MINIMAL CUEING.", "CUEING"),
                     ("WOUND: SHALLOWER THAN LAST WEEK, NO MOTTLING.", "SHALLOWER"),
                     ("VISUAL FIELDS: LEFT HEMIFIELD LOSS.", "HEMIFIELD"),
                     # words cut short in capitals
                     ("RESP: LS DIMIN BASES. NONPROD COUGH, SUCTIONED FOR SM AMT.", "NONPROD"),
                     ("RESP: LS DIMIN BASES. NONPROD COUGH, SUCTIONED FOR SM AMT.", "DIMIN"),
                     ("PMH: CHF, CRI. On RA, sats 97%. SW consult in AM.", "RA"),
                     ("PMH: CHF, CRI. On RA, sats 97%. SW consult in AM.", "SW"),
                     ("S/P STEMI, EF 35%. ALLERGIES: PCN (HIVES).", "STEMI"),
                     ("S/P STEMI, EF 35%. ALLERGIES: PCN (HIVES).", "PCN"),
                     ("CV: NSR-ST 90-105, no ectopy. GI: OGT to LIWS.", "NSR-ST"),   # rhythms joined
                     ("CV: NSR-ST 90-105, no ectopy. GI: OGT to LIWS.", "LIWS"),
                     ("GI: TF Jevity 1.2 at 20cc/hr, goal 60.", "Jevity"),                    # a tube feed
                     ("ID: TMAX 101.2, PAN CULTURED. RESP: SXN'D FOR THICK SECRETIONS.", "PAN"),
                     ("ID: TMAX 101.2, PAN CULTURED. RESP: SXN'D FOR THICK SECRETIONS.", "SXN'D"),
                     # in capitals an article opens a common noun: an occupation, not a surname
                     ("SOCIAL: PT IS A RETIRED STEELWORKER, LIVES WITH WIFE.", "STEELWORKER"),
                     ("SHE IS A PLUMBER AND A MOTHER OF TWO.", "PLUMBER"),
                     ("MEDS: CONT VIVITROL INJ MONTHLY. NO ISSUES.", "INJ"),              # prescription shorthand
                     ("She joined the WHAM group after her WRAP class.", "WHAM"),         # a curriculum's initials
                     ("PT WITH HX OF HEP C AND ETOH USE, SEEN BY DR NWOSU.", "HEP C"),    # diagnoses abbreviated
                     # built like clinical terms, however rare
                     ("HX OF PERICARDITIS AND PERICARDECTOMY IN 2006. HEMATURIA NOTED.", "PERICARDECTOMY"),
                     # a noun that a rare given name spells, in capitals
                     ("2 CM LACERATION OVER THE CHIN. ABRASION TO R TEMPLE.", "CHIN"),
                     ("NPN 0700-1900\nRESP: LS CLEAR BILAT, SATS 95%. CV: NSR, SBP 110S. GI: TOL TF.\n"
                      "DISPO: TO FLOOR WHEN BED FREE.", "BILAT"),                  # nursing shorthand
                     ("GI: TOL TF. TMAX 100.2. DISPO: HOME.", "TMAX"),
                     ("Hi all,\n\nQuick updates: Marcus is out Mon-Wed. Keisha covers Tuesday.", "Mon-Wed"),
                     ("SKIN: SACRAL DECUB STAGE 2, MEPILEX APPLIED. PULSES PALP BIL.", "MEPILEX"),
                     ("SKIN: SACRAL DECUB STAGE 2, MEPILEX APPLIED. PULSES PALP BIL.", "PALP BIL"),
                     ("HX CHF, AFIB, DM2. CULTURES SENT, ON VANC.", "VANC"),
                     ("GI: TOL REG DIET. PLAN: POSS TRANSFER TO REHAB.", "REG DIET"),
                     ("GI: TOL REG DIET. PLAN: POSS TRANSFER TO REHAB.", "POSS"),
                     # an organisation in capitals made of clinical words, one of them no common word
                     ("RESP: ON 2L NP, SATS 95-98%. IS 750. STRONG NONPROD COUGH. CPT BY RT.", "NONPROD"),
                     # a unit of measure after its number
                     ("ID: VANCO 1 GM Q12. FENTANYL 100 MCG/HR.", "GM"),
                     ("Neuro: Sedated on propofol 30mcg/kg/min, RASS -2. Opens eyes to voice, MAE.", "min"),
                     # clinical words in capitals, beside a name that is still found
                     ("CC: WEAKNESS AND DIFFICULTY WALKING.\nHX: SEEN BY DR. OKAFOR, PROGRESSIVE UNSTEADINESS.",
                      "PROGRESSIVE UNSTEADINESS")],
    "name-cues": [("Grad C: Right.\nProfessor B: Yeah, I think so.\nGrad C: Mm-hmm.", "Grad C"),
                  # a language the document names as one, where a sentence leaves it unclear
                  ("Grad C: The whole database is in German.\nGrad A: Not everyone uh, reads German, so we translate.",
                   "reads German"),
                  # a sentence opened by a thing of the domain that a surname list also holds
                  ("NEURO: Alert and oriented x3. Strength was 5/5 throughout.", "Alert"),
                  ("NEURO: Alert and oriented x3. Strength was 5/5 throughout.", "Strength"),
                  # a heading's field opens as a sentence does, and says it is about the domain
                  ("Lungs:  Clear.\nHeart: Regular rate.", "Clear"),
                  ("EXAM: Lumbar Spine, two views.", "Spine"),
                  ("My MIL has always been around to babysit.", "MIL"),
                  # a common noun's phrase before a verb of saying, in a line read as caseless
                  ("I went in for my follow up and the front desk lady said I had no appointment.", "lady"),
                  ("My SIL Jenna and my FIL both came.", "FIL"),
                  ("Seeker: I can't sleep anymore.\nResponse: That sounds hard.", "Seeker"),
                  ("CC: DIZZINESS.\nROS: AS ABOVE.\nGU: DENIES DYSURIA.", "GU"),       # report headings
                  ("HEART: Regular rate, no murmur.\nLABORATORY DATA: WBC 5.1, stable.", "LABORATORY DATA"),
                  ("HEENT: Normal.\nROS Musculoskeletal: Denies joint pain.", "Musculoskeletal"),
                  # a role labelling turns holds what was said, a word or a sentence
                  ("Client: I keep going back to what happened at work.\nTherapist: Wait.\n"
                   "Client: Yeah.\nTherapist: Let's begin there.", "Wait"),
                  ("Facilitator: Let's begin.\nPeer: Sure.", "Let's begin"),
                  ("Client: She's, like, forty-one and still at home.", "She's"),   # a pronoun, not a name
                  ("ok see u there\nmerry xmas!! wru partying?", "merry"),             # a greeting
                  # people named by their job in a list of those present
                  ("Attendees: two Peer Specialists, the Clinical Supervisor and Dana Ortiz.", "Clinical")],
    # a date's year is no house number before a street's abbreviation ("AV" block, "ST" segment)
    # a street type of another language is no street in a citation or a note in capitals
    "street-address-intl": [("Moore et al. Psychiatry Res 2019 found the same.", "Res 2019"),
                            ("A 14 FR FOLEY WAS LEFT IN PLACE WITH 2 SILK TIES.", "PLACE WITH 2")],
    # in capitals, a year or an amount before a two-letter word has a Dutch postcode's shape
    "postcode-digits": [("IN FEBRUARY OF 1988 HE HAD A BIOPSY. GIVEN 1500 ML LR.", "HE HAD"),
                        ("IN FEBRUARY OF 1988 HE HAD A BIOPSY. GIVEN 1500 ML LR.", "1500 ML")],
    "street-address": [("ON 7/4/95 HE DEVELOPED FIRST DEGREE AV BLOCK.", "HE DEVELOPED"),
                       ("CV: SR 80S, SBP 110S. TOL TF.", "SR 80S"),                    # sinus rhythm in the 80s
                       ("the ice on 3/12/21 back rd was bad", "back rd"),
                       # a street's name never runs on past a full stop into the next sentence
                       ("WILL MOVE TO 4 WEST WHEN BED OPENS. PT AGREES.", "BED OPENS")],
    "date": [("Feels 7/10 on cravings today.", "7/10"), ("She likes 1990s music.", "1990s"),
             # an examination's grades: strength out of 5, reflexes with their "+", a murmur's range
             ("Strength was approximately 5/5. Deep tendon reflexes are 2+.", "5/5"),
             ("Reflexes: 3/3+ biceps and triceps, 2/3+ ankles.", "3/3"),
             ("There is a 2-3/6 systolic murmur at the left sternal border.", "3/6"),
             ("Motor exam is 4/5 on the left.", "4/5"),
             # ranges and spine levels are no month and day, a lab pair's decimal no day
             ("Neuro: A&Ox2-3, CIWA 12-15 overnight.", "12-15"),
             ("Neuro: A&Ox2-3, CIWA 12-15 overnight.", "2-3"),
             ("MRI: disc bulge at L4-5 and C3-4.", "L4-5"),
             ("Labs: BUN/CR 48/2.1, K 3.9.", "48/2.1"),
             ("Vent: PSV 10/5, FiO2 40%, RSBI 68.", "10/5"),                        # pressures
             ("Labs: WBC 12.1, hemoglobin 10.3, platelets 240.", "12.1"),              # a reading
             ("We met on the fifth floor.", "fifth"), ("She called on the tenth anniversary.", "tenth")],
    "places": [("PT IN HOPE OF D/C HOME TOMORROW, IN NORMAL SINUS RHYTHM.", "HOPE"),   # towns, and
               ("PT IN HOPE OF D/C HOME TOMORROW, IN NORMAL SINUS RHYTHM.", "NORMAL")],  # everyday words
    "age": [("She has 90 days clean and is sober since 2019.", "90"),
            ("He is 177 pounds and 5 feet 8 inches.", "177"),                    # a weight, a height
            ("A woman in her 60s asked about the group.", "60s"),                 # a decade of life
            ("I was one of the first to arrive.", "one"),
            ("Her three-year-old starts nursery soon.", "year-old")],               # the unit stays
    "id-number": [("SBP 110-130 overnight, HR 80-90S.", "110-130"),                 # ranges of readings
                  ("RESP: ORALLY INTUBATED, AC 500X14, PEEP 8, FIO2 50%.", "500X14"),   # a setting, volume x rate
                  ("MG 1.6, 2GM MGSO4 IV GIVEN. HCO3 19, NAHCO3 PO.", "MGSO4"),         # salts' formulas
                  ("MG 1.6, 2GM MGSO4 IV GIVEN. HCO3 19, NAHCO3 PO.", "NAHCO3"),
                  ("NEURO: A&OX2-3, TREMULOUS.", "OX2-3"),                          # orientation
                  ("ID: TMAX 100.2, WBC 12.1, on vanco.", "100.2"),                 # ID as infectious disease
                  ("Referred to IOP and CBT at the clinic.", "CBT"),
                  ("Cases of COVID-19 rose again this winter.", "COVID-19"),          # a disease, not a code
                  ("The budget for 2019-20 was cut.", "2019-20"),                     # a year range
                  ("GIVEN LASIX 40MG IV, URINE OUTPUT UP.", "40MG"),                  # a dose in capitals
                  ("MORPHINE 2MG IV Q4HRS PRN PAIN.", "Q4HRS"),                       # a dosing interval
                  ("We fixed it with a plate with 12 screws.", "with 12")],           # words after "plate"
    "time": [("Group starts at 3pm in the shelter.", "3pm")],
    "spelled-out": [("That's Dubois, D-U-B-O-I-S. Thanks, bye.", "Thanks")],          # the next sentence
    # placeholders already replace a name (the annotation guide)
    "facility": [("Transferred to ABCD General Hospital for a CT, seen by Dr. XYZ.", "ABCD General Hospital"),
                 ("Transferred to ABCD General Hospital for a CT, seen by Dr. XYZ.", "XYZ"),
                 # parts of a hospital named by the domain's vocabulary are kinds, not organisations
                 ("Seen in the Podiatry Clinic, then moved to the General Medical Floor.", "Podiatry Clinic"),
                 ("Seen in the Podiatry Clinic, then moved to the General Medical Floor.", "General Medical Floor")],
    # speakers numbered by diarization or interview software are roles, not handles
    "handle": [("SPEAKER_00: Okay, welcome back.\nSPEAKER_01: Thanks.\nSPEAKER_00: So, sleep.", "SPEAKER_01"),
               ("Spk1: Sure thing.\nSpk2: Yeah.", "Spk1")],
    "rows": [("PLAN OF THE CASE: The client was seen in the office today.", "The client was seen"),
             ("| Name | Group | Sessions |\n| Carla M. | Women's Circle | 6 |", "Sessions")],  # a table's header
}


def _covered(redactor, text: str, value: str) -> bool:
    spans = next(iter(redactor.detect([text])))
    start = text.index(value)
    return all(any(s.start <= i < s.end for s in spans) for i in range(start, start + len(value))
               if not text[i].isspace())


def _enabled_names() -> set[str]:
    config = load_detection_config()
    return {n for n, e in config.recognizers.items() if e.enabled} | {p.name for p in config.patterns if p.enabled}


def test_every_recognizer_has_a_table():
    missing = {n for n in _enabled_names() if not FOUND.get(n) and not READABLE.get(n)}
    assert not missing, f"recognizers without a table: {sorted(missing)}"


@pytest.mark.parametrize("recognizer, text, value", [(r, t, v) for r, rows in FOUND.items() for t, v in rows])
def test_recognizer_finds(redactor, recognizer, text, value):
    assert _covered(redactor, text, value), (recognizer, value)


@pytest.mark.parametrize("recognizer, text, word", [(r, t, w) for r, rows in READABLE.items() for t, w in rows])
def test_recognizer_leaves_readable(redactor, recognizer, text, word):
    spans = next(iter(redactor.detect([text])))
    start = text.index(word)
    assert not any(s.start < start + len(word) and s.end > start for s in spans), (recognizer, word)


# A recognizer behind a pre-check window (`window:` in the registry) finds exactly what it finds
# reading the whole text: the window holds every number with the text around it.
_PHONE_TEXT = st.text(alphabet="0123456789 +-().:/\nabcxyz", min_size=0, max_size=80)


@given(st.lists(st.one_of(_PHONE_TEXT, st.sampled_from(
    ["Call +44 20 7946 0958", "cell (555) 201-3344", "07700 900461", "tel.0612345678", "+65 9123 4567"])),
    max_size=6))
@settings(max_examples=60, deadline=None)
def test_windowed_recognizer_finds_what_the_whole_text_gives(pieces):
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    from redact.recognizers import _presidio

    entry = load_detection_config().recognizers["phone"]
    windowed, whole = _presidio(entry), PhoneRecognizer(supported_regions=tuple(entry.regions))
    text = " ".join(pieces)
    found = sorted((r.start, r.end, r.score) for r in windowed.analyze(text, ["PHONE_NUMBER"]))
    assert found == sorted((r.start, r.end, r.score) for r in whole.analyze(text, ["PHONE_NUMBER"]))


@pytest.mark.parametrize("spoken, impossible", [
    ("two oh seven, five five five, one two one two", False),   # area code 207, exchange 555
    ("one, two, three, four, five, six, seven", True),          # counting: an exchange never starts with 1
    ("one two three four five six seven eight nine zero", True),
    ("eight six seven, five three oh nine", False),
    ("oh two oh, seven nine four six, oh nine five eight", None),  # 11 digits, not North American
    ("(555) 201-3344", None),                                   # digits are not judged here
])
def test_spoken_number_check(spoken, impossible):
    from redact.recognizers.patterns import impossible_north_american_number

    assert impossible_north_american_number(spoken) is impossible


@pytest.mark.parametrize("value, is_range", [
    ("110-130", True), ("80-90S", True), ("80S-90S", True), ("40-60cc", True),   # close numbers: readings
    ("12-345", None), ("130-110", None), ("555-1234", None),  # far apart, falling or longer: not judged
    ("36/42/98", True), ("120/80/72", True),                  # readings joined by slashes
    ("030/1234567", None),                                    # one slash: a German number may
])
def test_numeric_range_check(value, is_range):
    from redact.recognizers.patterns import numeric_range

    assert numeric_range(value) is is_range


def test_an_unknown_invalidator_is_a_config_error():
    from redact.errors import ConfigError
    from redact.recognizers.patterns import pattern_recognizers

    config = load_detection_config()
    broken = [spec.model_copy(update={"invalidator": "no-such-check"}) if spec.name == "phone" else spec
              for spec in config.patterns]
    with pytest.raises(ConfigError, match="unknown invalidator"):
        pattern_recognizers(config.model_copy(update={"patterns": broken}))


def test_an_unknown_invalidator_of_a_presidio_recognizer_is_a_config_error():
    from redact.errors import ConfigError
    from redact.recognizers import _presidio

    entry = load_detection_config().recognizers["phone"].model_copy(update={"invalidator": "no-such-check"})
    with pytest.raises(ConfigError, match="unknown invalidator"):
        _presidio(entry)


def test_an_unknown_evidence_language_is_a_config_error(tmp_path):
    import shutil

    from redact.config import models_dir
    from redact.errors import ConfigError

    folder = tmp_path / "models"
    shutil.copytree(models_dir(), folder, ignore=shutil.ignore_patterns("ner-peer-sm", "decision"))
    config = folder / "detection.yaml"
    text = config.read_text(encoding="utf-8")
    assert "other_languages: [es," in text
    config.write_text(text.replace("other_languages: [es,", "other_languages: [xx, es,"), encoding="utf-8")
    with pytest.raises(ConfigError, match="names.other_languages: .*no small word list for xx"):
        load_detection_config(config)
