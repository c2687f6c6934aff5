package templates

import "fmt"

// messages are the short texts the workflow core (intake/casework) writes
// for a person: the summaries of timeline events, and the changes and
// problems a process leader's confirmation lists, among them what is
// wrong with a command line (intake/command). They are keyed, by
// language, like the names of events, statuses and levels; a text is a
// fmt format whose verbs take the values in the order the caller passes
// them, so every language has the same verbs in the same order.
var messages = map[string]map[string]string{
	"sv": {
		// What a command did (the confirmation's changes, the timeline).
		"changed_level":            "Nivå: %s",
		"changed_parties":          "Berörda parter: %s",
		"changed_themes":           "Teman: %s",
		"none":                     "inga",
		"raised":                   "Lyft till nästa möte",
		"raised_for_meeting":       "Lyft till nästa möte (%s)",
		"edited":                   "Beskrivningen för parterna ändrad",
		"edited_confirmed":         "Beskrivningen som parterna får är ändrad (anmälarens text finns kvar i ärendet)",
		"decision":                 "Beslut",
		"decision_recorded":        "Beslut antecknat",
		"note":                     "Notering",
		"note_kept":                "Intern notering sparad",
		"publish_yes":              "Får publiceras",
		"publish_no":               "Publiceras inte",
		"closed":                   "Ärendet avslutat",
		"closed_already":           "Ärendet var redan avslutat",
		"reopened":                 "Ärendet öppnat igen",
		"reopened_to_forward":      "Ärendet öppnat igen för att vidarebefordras",
		"open_already":             "Ärendet var redan öppet",
		"forwarded_to":             "Vidarebefordrat till %s",
		"forwarded_to_rep":         "Vidarebefordrat till %s (%s)",
		"forwarded_to_rep_contact": "Vidarebefordrat till %s (%s), med anmälarens kontaktuppgifter",
		"feedback":                 "Återkoppling till anmälaren",
		"feedback_with_answer":     "Återkoppling till anmälaren, med svar från %s",
		// A mail of commands.
		"commands_from":            "Kommandon från %s",
		"commands_not_carried_out": "Kommandona genomfördes inte",
		"command_problem":          "rad %d, %q: %s",
		"commands_refused":         "Kommandon från %s avvisade: bara processledare får ge kommandon",
		"unproven_why":             "mejlet är inget svar på ett mejl som Lex Heller har skickat till dig i ärendet, så det kan ha skickats av någon annan i ditt namn",
		"unproven_refused":         "Mejl i processledarens namn (%s) avvisat: %s",
		"unproven_told":            "Ingenting genomfördes och ingenting skickades vidare: %s. Har du skrivit mejlet, svara i stället på ett mejl från Lex Heller i ärendet. Har du inte skrivit det, har någon annan försökt skicka det i ditt namn.",
		"unverified_quarantined":   "Mejl i processledarens namn avvisat (%s); det ligger i Karantän",
		// A reply on a case.
		"empty_reply":                "Tomt svar från %s, inget skickat",
		"reply_kept_as_note":         "Svar från %s sparat som notering: ärendet har ingen adress till anmälaren",
		"question_to_reporter":       "Fråga till anmälaren från %s",
		"question_sent":              "Ditt svar skickades till anmälaren som en fråga från förbundet",
		"answer_from_representative": "Svar från %s representant (%s)",
		"reply_from_reporter":        "Svar från %s som anmälare",
		"reply_from":                 "Svar från %s",
		"auto_reply":                 "Automatiskt svar (frånvaro) från %s; inget vidarebefordrades",
		// Other messages, reminders and personal data.
		"message_id_reused":        "Meddelandet har samma Message-ID som ett tidigare men ett annat innehåll; det behandlades som ett nytt meddelande",
		"undeliverable_address":    "adressen %q går inte att skicka till",
		"no_acknowledgement":       "Ingen bekräftelse skickad: %s",
		"case_created":             "Anmälan mottagen från %s",
		"case_created_masked_one":  "Anmälan mottagen från %s (1 personnummer maskerat)",
		"case_created_masked":      "Anmälan mottagen från %s (%d personnummer maskerade)",
		"reminder_forward":         "Påminnelse %d av %d till %s (%s), obesvarat sedan %s",
		"reminder_quiet":           "Påminnelse till processledarna: ingen händelse på %d dagar",
		"scrubbed_after_retention": "Personuppgifterna gallrade %d dagar efter att ärendet avslutades",
		"erased_on_request":        "Personuppgifter raderade på begäran (artikel 17)",
		// What is wrong with a command line, and what to write instead
		// (intake/command's Describe).
		"command_unknown":             "%q är inget kommando. Skriv /hjälp för att få en lista över kommandona.",
		"command_no_level":            "nivån saknas. Skriv till exempel: /nivå organisering",
		"command_bad_level":           "%q är ingen nivå. Skriv /nivå struktur, /nivå organisering eller /nivå individ.",
		"command_no_parties":          "parterna saknas. Skriv till exempel: %s FK AF",
		"command_bad_party":           "%q är ingen part. Parterna är FK, AF, Kommun, Region och Annan.",
		"command_no_themes":           "temat saknas. Skriv till exempel: /tema sjukskrivning aktivitetsstöd (eller /tema -sjukskrivning för att ta bort)",
		"command_no_text":             "texten saknas. Skriv texten på raderna under kommandona.",
		"command_bad_publish":         "%q går inte att läsa. Skriv /publicera ja eller /publicera nej.",
		"command_extra_args":          "kommandot tar inga ord efter sig (%q). Skriv bara kommandot på raden.",
		"command_no_representative":   "förbundet har ingen representant för %s. Be administratören lägga till en, eller välj en annan part.",
		"command_publish_not_allowed": "anmälaren har inte tillåtit publicering, så ärendet kan inte publiceras. Skriv /publicera nej eller ta bort raden.",
		"command_no_reporter":         "ärendet har ingen e-postadress till anmälaren (det är importerat), så återkopplingen kan inte skickas. Skriv /notering i stället.",
		"command_no_answer":           "det finns inget svar från någon part att citera. Skriv /återkoppla utan \"med svar\", eller vänta på svaret.",
		"command_bad_quiet":           "skriv /tyst för att anmälaren inte ska få fler statusmeddelanden, eller /tyst nej för att hen ska få dem igen, inte %q.",
		"command_not_yours":           "det kommandot får bara förbundets processledare ge. Du kan skriva /status (och som anmälare /tyst).",
		// Status notices and /status.
		"command_no_group":        "skriv arbetsgruppens namn efter /grupp, till exempel /grupp Primärvård och psykiatri.",
		"command_bad_group":       "förbundet har ingen arbetsgrupp som heter %s. Grupperna står i Lex Hellers konfiguration.",
		"group_sent":              "Skickat till arbetsgruppen %s",
		"group_sent_to":           "Skickat till arbetsgruppen %s (%s)",
		"group_proposed":          "Arbetsgruppen %s följer ärenden med %s. Vill du skicka ärendet dit? Skriv /grupp %s och frågan på raden under.",
		"answer_from_group":       "Svar från arbetsgruppen %s (%s)",
		"status_group":            "Ärendet lämnades till arbetsgruppen %s",
		"status_group_answered":   "Arbetsgruppen %s svarade",
		"silenced":                "Anmälaren får inga statusmeddelanden",
		"silenced_by_reporter":    "Anmälaren bad om att inte få fler statusmeddelanden (/tyst)",
		"unsilenced":              "Anmälaren får statusmeddelanden igen",
		"silenced_already":        "Anmälaren fick redan inga statusmeddelanden",
		"unsilenced_already":      "Anmälaren fick redan statusmeddelanden",
		"notice_sent":             "Statusmeddelande till anmälaren (%s)",
		"status_asked":            "%s frågade efter ärendets läge (/status)",
		"status_created":          "Anmälan togs emot",
		"status_forwarded":        "Ärendet lämnades till %s representant",
		"status_answered":         "%s representant svarade",
		"status_question":         "Förbundet ställde en fråga till anmälaren",
		"status_reporter_replied": "Anmälaren svarade",
		"status_raised":           "Ärendet lyftes till beredningsgruppens möte",
		"status_feedback":         "Förbundet återkopplade till anmälaren",
		"status_closed":           "Ärendet avslutades",
		"status_reopened":         "Ärendet öppnades igen",
		"status_you_answered":     "Du svarade",
	},
	"en": {
		"changed_level":            "Level: %s",
		"changed_parties":          "Parties: %s",
		"changed_themes":           "Themes: %s",
		"none":                     "none",
		"raised":                   "Raised at the next meeting",
		"raised_for_meeting":       "Raised at the next meeting (%s)",
		"edited":                   "Description for the parties edited",
		"edited_confirmed":         "The description the parties get is changed (the reporter's text stays on the case)",
		"decision":                 "Decision",
		"decision_recorded":        "Decision recorded",
		"note":                     "Note",
		"note_kept":                "Internal note kept",
		"publish_yes":              "May be published",
		"publish_no":               "Not to be published",
		"closed":                   "Case closed",
		"closed_already":           "The case was closed already",
		"reopened":                 "Case reopened",
		"reopened_to_forward":      "Case reopened to be forwarded",
		"open_already":             "The case was open already",
		"forwarded_to":             "Forwarded to %s",
		"forwarded_to_rep":         "Forwarded to %s (%s)",
		"forwarded_to_rep_contact": "Forwarded to %s (%s), with the reporter's contact details",
		"feedback":                 "Feedback to the reporter",
		"feedback_with_answer":     "Feedback to the reporter, with the answer of %s",

		"commands_from":            "Commands from %s",
		"commands_not_carried_out": "The commands were not carried out",
		"command_problem":          "line %d, %q: %s",
		"commands_refused":         "Commands from %s refused: only process leaders may give commands",
		"unproven_why":             "the mail is no reply to a mail Lex Heller sent you on the case, so someone else may have sent it in your name",
		"unproven_refused":         "Mail in a process leader's name (%s) refused: %s",
		"unproven_told":            "Nothing was carried out and nothing was passed on: %s. If you wrote the mail, reply to a mail from Lex Heller on the case instead. If you did not, someone else tried to send it in your name.",
		"unverified_quarantined":   "Mail in a process leader's name refused (%s); it is in Karantän",

		"empty_reply":                "Empty reply from %s, nothing sent",
		"reply_kept_as_note":         "Reply from %s kept as a note: the case has no address for the reporter",
		"question_to_reporter":       "Question to the reporter from %s",
		"question_sent":              "Your reply went to the reporter as a question from the förbund",
		"answer_from_representative": "Answer from %s representative (%s)",
		"reply_from_reporter":        "Reply from %s as the reporter",
		"reply_from":                 "Reply from %s",
		"auto_reply":                 "Automatic reply (out of office) from %s; nothing was passed on",

		"message_id_reused":        "The message has the Message-ID of an earlier one but other content; it was handled as a new message",
		"undeliverable_address":    "the address %q cannot be sent to",
		"no_acknowledgement":       "No acknowledgement sent: %s",
		"case_created":             "Report received from %s",
		"case_created_masked_one":  "Report received from %s (1 personal identity number masked)",
		"case_created_masked":      "Report received from %s (%d personal identity numbers masked)",
		"reminder_forward":         "Reminder %d of %d to %s (%s), unanswered since %s",
		"reminder_quiet":           "Reminder to the process leaders: no event for %d days",
		"scrubbed_after_retention": "Personal data removed %d days after the case was closed",
		"erased_on_request":        "Personal data erased on request (article 17)",

		"command_unknown":             "%q is not a command. Write /help for the list of commands.",
		"command_no_level":            "the level is missing. Write, for example: /level organisering",
		"command_bad_level":           "%q is not a level. Write /level struktur, /level organisering or /level individ.",
		"command_no_parties":          "the parties are missing. Write, for example: %s FK AF",
		"command_bad_party":           "%q is not a party. The parties are FK, AF, Kommun, Region and Annan.",
		"command_no_themes":           "the theme is missing. Write, for example: /themes sjukskrivning aktivitetsstöd (or /themes -sjukskrivning to remove one)",
		"command_no_text":             "the text is missing. Write it on the lines below the commands.",
		"command_bad_publish":         "%q cannot be read. Write /publish yes or /publish no.",
		"command_extra_args":          "the command takes nothing after it (%q). Write the command alone on its line.",
		"command_no_representative":   "the förbund has no representative for %s. Ask the administrator to add one, or choose another party.",
		"command_publish_not_allowed": "the reporter did not allow publication, so the case cannot be published. Write /publish no or remove the line.",
		"command_no_reporter":         "the case has no e-mail address for the reporter (it was imported), so feedback cannot be sent. Write /note instead.",
		"command_no_answer":           "there is no answer from a party to quote. Write /feedback without \"with answer\", or wait for the answer.",
		"command_bad_quiet":           "write /quiet for the reporter to get no more status messages, or /quiet no for them to get them again, not %q.",
		"command_not_yours":           "only the coordination association's process leaders may give that command. You can write /status (and, as the reporter, /quiet).",
		// Status notices and /status.
		"command_no_group":        "write the working group's name after /group, for example /group Primärvård och psykiatri.",
		"command_bad_group":       "the coordination association has no working group called %s. The groups are in Lex Heller's configuration.",
		"group_sent":              "Sent to the working group %s",
		"group_sent_to":           "Sent to the working group %s (%s)",
		"group_proposed":          "The working group %s follows cases with %s. Do you want to send the case there? Write /group %s and the question on the line below.",
		"answer_from_group":       "Answer from the working group %s (%s)",
		"status_group":            "The case was passed to the working group %s",
		"status_group_answered":   "The working group %s answered",
		"silenced":                "The reporter gets no status messages",
		"silenced_by_reporter":    "The reporter asked for no more status messages (/quiet)",
		"unsilenced":              "The reporter gets status messages again",
		"silenced_already":        "The reporter already got no status messages",
		"unsilenced_already":      "The reporter already got status messages",
		"notice_sent":             "Status message to the reporter (%s)",
		"status_asked":            "%s asked for the case's status (/status)",
		"status_created":          "The report was received",
		"status_forwarded":        "The case was passed to %s representative",
		"status_answered":         "%s representative answered",
		"status_question":         "The coordination association asked the reporter a question",
		"status_reporter_replied": "The reporter replied",
		"status_raised":           "The case was raised at the working group's meeting",
		"status_feedback":         "The coordination association gave the reporter feedback",
		"status_closed":           "The case was closed",
		"status_reopened":         "The case was reopened",
		"status_you_answered":     "You answered",
	},
}

// Message is the text key in lang (the default language for one without
// texts), its verbs filled with args as fmt.Sprintf fills them. A key
// with no text is returned as it is, like an event kind with no name.
func Message(lang, key string, args ...any) string {
	f, ok := messages[Lang(lang)][key]
	if !ok {
		return key
	}
	return fmt.Sprintf(f, args...)
}

// HasMessage reports whether key has a text (in every language: the
// tests hold the languages to the same keys).
func HasMessage(key string) bool {
	_, ok := messages[Languages[0]][key]
	return ok
}
