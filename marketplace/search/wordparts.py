"""Shipped German word parts for the compound splitter: materials, equipment, spaces and the
modifiers that commonly precede them in listings. Base forms, lower case; umlauts are folded
when the splitter loads them. Category names are added at run time (analysis.py)."""

#: Materials: as a modifier they say what a thing is made of ("Holzpalette" is wood), so a
#: listing with such a compound is also indexed under the material, with a lower weight.
MATERIALS = """
holz massivholz hartholz weichholz brennholz bauholz altholz schnittholz sperrholz
eiche buche kiefer fichte birke ahorn esche erle pappel tanne lärche douglasie nussbaum
bambus kork rattan weide
metall stahl edelstahl eisen gusseisen alu aluminium kupfer messing zink zinn blei bronze
chrom titan blech draht schrott
kunststoff plastik acryl plexiglas polyester nylon vinyl gummi silikon styropor schaumstoff
glas papier pappe karton textil stoff baumwolle wolle leinen filz leder kunstleder jute seide
stein naturstein beton ton lehm keramik porzellan gips marmor granit sandstein schiefer ziegel
klinker kalk zement mörtel sand kies schotter erde humus kompost
""".split()  # noqa: SIM905 - a word list reads better as text

#: Heads and modifiers that are not materials: things, kinds and qualities.
PARTS = """
palette europalette einwegpalette gitterbox box kiste kasten korb behälter container tonne
fass kanister eimer sack beutel tüte dose flasche glas becher schale karton rolle spule trommel
brett bohle balken latte leiste kantholz kant diele platte tafel scheibe span spanplatte
faserplatte furnier profil rohr stange stab träger schiene winkel gitter zaun pfosten pfahl
matte folie plane vlies bahn gewebe garn faden band seil gurt kette netz schlauch kabel
regal schwerlast last schwer leicht lager lagerung fach boden stecksystem steck system
schrank spind tresor vitrine kommode sideboard truhe
tisch schreibtisch konferenz besprechung stuhl hocker bank sessel sofa couch liege bett
sitz sitzsack polster kissen matratze decke teppich vorhang gardine lampe leuchte licht
büro arbeit arbeits platz möbel mobiliar einrichtung ausstattung zubehör
dämm dämmung isolier wand decken dach fenster tür tor treppe fliese fliesen parkett laminat
estrich putz farbe lack lasur kleber leim dichtung schraube nagel dübel mutter bolzen
werkzeug maschine gerät motor pumpe bohr bohrer säge schleif schleifer fräse hobel hammer
zange schlüssel leiter gerüst wagen karre schubkarre hubwagen hand rad fahrrad lastenrad
anhänger roller
computer rechner laptop notebook monitor bildschirm drucker tastatur maus server kopierer
telefon handy tablet beamer projektor lautsprecher mikrofon verstärker mischpult
kühl kühlschrank gefrier truhe herd ofen backofen spül spülmaschine wasch waschmaschine
trockner kaffee maschine mikrowelle koch topf pfanne geschirr besteck teller
bühne veranstaltung event licht ton technik zelt pavillon podest
raum saal halle werkstatt atelier studio küche garten fläche hof keller dachboden garage
stellplatz parkplatz
euro einweg mehrweg groß klein alt neu hoch tief lang kurz breit schmal rund flach dick dünn
weich hart doppel einzel mini maxi schreib klapp roll dreh schiebe hänge stand steh
hoch industrie haushalt garten bau abbruch rest verschnitt material stoff kreativ bastel
reifen schlauch felge
lebensmittel getränk obst gemüse brot
rahmen werk kinder kind schul jugend baby medien daten
brenn sperr schnitt edel guss natur kunst massiv schub hub heiz dusch bad wasser strom elektro
solar sonnen schutz sicherheit transport umzug verpackung versand
""".split()  # noqa: SIM905 - a word list reads better as text

#: Three-letter parts are allowed only from this list: shorter pieces split too eagerly.
SHORT_PARTS = frozenset({"alu", "ton", "bau", "rad", "tor", "tür", "box", "hof"})
