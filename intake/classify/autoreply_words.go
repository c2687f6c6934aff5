package classify

// The words of out-of-office messages, Swedish and English, lower-case.
// A text made of these (and names, dates, numbers and addresses) says only
// that its writer is away; a word outside them ("beslutet", "svaret",
// "bifogar", "appointment") is news, and the mail stays a reply. Words a
// reply uses about a case are deliberately missing, even where an
// out-of-office message might use them: a miss leaves a mail a reply, as
// it was before issue 12.
var oooWords = words(`
	hej hejsan hallå tack och för ditt din dina dig er ert era du ni mig mitt min mina vi oss jag han hon
	den det detta denna dessa ett en är var varit vara blir bli blev har hade haft kommer att
	samt eller men även också så som när då till från med utan på i av om under efter innan före
	mellan via hos vid inom tills vidare fram förrän senare igen direkt istället stället gärna bara
	kan kunna tiden hör sig snarast dator arbetsdag arbetsdagar
	endast enbart heltid deltid procent alt alternativt nedan ovan följande eventuella eventuellt
	ledig ledigt lediga ledighet ledigheten tjänstledig tjänstledighet föräldraledig föräldraledighet
	semesterledig sommarledig pappaledig mammaledig tjänsteledig semestrar semester semestern sjukskriven sjukskrivning sjuk frånvarande frånvaro frånvaron
	borta bortrest ute kontoret kontor tjänst tjänsten arbetet jobbet plats anträffbar nåbar
	tillgänglig otillgänglig tillbaka åter återkommer återvänder återkomma befinner
	automatiskt automatiska automatisk svar svarar svara besvaras besvarar besvara
	e-post epost e-posten e-postmeddelande e-postmeddelanden mejl mejlet mejlen mail mailet mailen
	meddelande meddelandet meddelanden brev läser läsa läses kollar bevakar bevakas hanteras
	handläggs vidarebefordras vidarebefordrar vidarebefordrat raderas sparas
	inte ej ingen inget inga någon något några begränsad begränsat begränsade tillgång sporadiskt
	sällan regelbundet snart möjligt fort brådskande akuta akut ärenden ärende frågor fråga
	kontakta kontakt ring ringa nås når nå hänvisas hänvisar hänvisning vänd vänligen vänlig vänliga
	hälsning hälsningar mvh växeln växel telefon tel tfn telefonnummer nummer numret mobil
	kundcenter kundtjänst kundtjänsten kundservice servicecenter kontaktcenter mottagning mottagningen
	reception receptionen funktionsbrevlåda funktionsbrevlådan brevlåda gemensamma adress adressen
	e-postadress mejladress kollega kollegor kollegan ersättare ersättaren vikarie chef enhetschef
	kommun kommunen stad staden region regionen förvaltning förvaltningen enhet enheten avdelning
	avdelningen vecka veckan veckor v nästa kommande hela halva dag dagar dagen idag morgon imorgon
	förmiddag eftermiddag måndag tisdag onsdag torsdag fredag lördag söndag måndagen tisdagen
	onsdagen torsdagen fredagen januari februari mars april maj juni juli augusti september oktober
	november december jan feb mar apr jun jul aug sep sept okt nov dec t.o.m tom fr.o.m fr.om kl
	klockan datum period perioden sommaren sommar julen påsk påsken helgen helger heldag
	kurs kursen utbildning utbildningen konferens konferensen tjänsteresa resa möte möten
	ber be ursäkt beklagar dröjsmål olägenhet önskar trevlig trevligt god gott glad
	hello hi dear good morning thank thanks you your yours for the a an and or but to of in on at by
	with from until till through thru between during within after before this that these is am are was
	be been being will would shall can could may i i'm im i’m i'll i’ll me my we us our he she it
	have has had get back return returning returned out office away leave annual parental sick study
	vacation holiday holidays off work working travelling traveling trip business conference course
	training meeting meetings automatic automatically automated auto generated reply response respond
	answer message messages email e-mail emails e-mails mail inbox limited no not access check
	checking read reading occasionally periodically regularly soon possible as upon urgent urgently
	matters matter issues enquiries inquiries questions please contact call reach colleague colleagues
	reception switchboard phone telephone mobile team manager regards kind best wishes sincerely
	currently presently period week weeks next day days today tomorrow monday tuesday wednesday
	thursday friday saturday sunday january february march april may june july august september
	october november december apologies apologise apologize inconvenience delay note forwarded
	without further notice any available unavailable shortly received receive
`)

// referralWords open a referral: the next referralWindow words may name
// whom to turn to ("kontakta socialtjänstens mottagning").
var referralWords = words(`kontakta ring ringa hänvisas hänvisar vänd contact call reach`)

// topicWords, right after a matterWord ("ärenden som rör", "frågor om",
// "matters regarding"), open a subject matter of referralWindow words.
var topicWords = words(`rör gäller gällande rörande angående kring om regarding about concerning som`)

var matterWords = words(`ärenden ärende frågor fråga matters questions issues enquiries inquiries`)
