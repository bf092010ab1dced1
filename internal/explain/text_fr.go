package explain

import "github.com/bounced/bounced/internal/classify"

// french is the French catalog. It holds every key of english, with as many
// steps per text (TestCatalogsComplete). French contracts "à le" and "de le"
// and elides before vowels, so a fact that may be missing is written inside
// a group after its noun ("l'adresse[[ {rcpt}]]", "du domaine[[ {domain}]]"),
// and the fallback words start with a demonstrative or "l'".
var french = &lang{
	tag: "fr",
	fallback: [numSlots]string{
		slotRcpt:     "cette adresse",
		slotDomain:   "ce domaine",
		slotMTA:      "ce serveur",
		slotReporter: "ce serveur",
		slotStatus:   "aucun code d'état",
		slotReply:    "aucun code de réponse",
		slotCode:     "aucun code",
		slotCommand:  "une commande",
		slotDiag:     "aucun texte de diagnostic",
		slotFrom:     "l'expéditeur d'origine",
		slotUntil:    "une date ultérieure",
	},
	whose: map[classify.Side]lines{
		classify.SideSender: {
			Marketer: "C'est à l'expéditeur d'agir : la correction porte sur la façon d'envoyer, pas sur le " +
				"destinataire.",
			EndUser: "Le problème doit être corrigé de votre côté, ou par votre fournisseur de messagerie.",
			Admin: "Côté expéditeur : l'infrastructure d'envoi (MTA, relais, enregistrements DNS ou " +
				"réputation) doit changer.",
		},
		classify.SideRecipient: {
			Marketer: "Côté destinataire : sa boîte, son domaine ou son serveur est en cause ; l'envoi est correct.",
			EndUser:  "Le problème vient de l'adresse ou du serveur du destinataire, pas de vous.",
			Admin: "Côté destinataire : la boîte, le domaine ou le serveur de réception est en cause ; seul " +
				"son responsable peut corriger.",
		},
		classify.SideNetwork: {
			Marketer: "Ni l'un ni l'autre : le réseau ou le DNS a échoué en route, et une nouvelle tentative " +
				"peut réussir.",
			EndUser: "Personne n'est en faute : un problème de connexion en chemin.",
			Admin:   "Réseau : aucune configuration en cause ; une panne en transit (délais dépassés, DNS, routage).",
		},
		classify.SideUnknown: {
			Marketer: "Incertain : les éléments ne disent pas de quel côté il faut agir.",
			EndUser:  "On ne sait pas encore de quel côté il faut corriger.",
			Admin: "Inconnu : les éléments ne permettent pas de dire si l'expéditeur ou le destinataire est " +
				"en cause.",
		},
	},
	entries: map[key]entry{
		{Reason: classify.AuthFailure}: {
			Marketer: texts{
				Headline: "Refusé : le message a échoué à l'authentification de l'expéditeur (SPF, DKIM ou DMARC)",
				What: "Le serveur destinataire[[ {mta}]] a refusé le message pour {rcpt} faute de pouvoir " +
					"vérifier que le domaine d'envoi autorise cet expéditeur[[ (réponse {code})]]. Les " +
					"messageries contrôlent trois enregistrements publiés dans le DNS : SPF (les serveurs " +
					"autorisés à envoyer pour le domaine), DKIM (une signature sur chaque message) et DMARC " +
					"(la conduite à tenir quand ces contrôles échouent).[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Côté expéditeur : les enregistrements DNS ou la signature du domaine d'envoi doivent être " +
					"corrigés. Le destinataire n'y est pour rien.",
				Steps: []string{
					"Demandez à la personne qui gère le DNS du domaine d'envoi de vérifier que " +
						"l'enregistrement SPF inclut tous les services qui envoient pour lui, cette plateforme " +
						"comprise.",
					"Vérifiez que la signature DKIM est activée pour le domaine d'envoi sur la plateforme et " +
						"que sa clé publique est publiée dans le DNS.",
					"Publiez ou corrigez un enregistrement DMARC : commencez par p=none avec des rapports, " +
						"puis durcissez une fois les rapports propres.",
					"Renvoyez à ce destinataire une fois les contrôles réussis ; l'adresse elle-même est correcte.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a été refusé : impossible de vérifier qu'il vient bien de vous",
				What: "Le serveur du destinataire a vérifié si votre domaine autorise l'envoi de messages de " +
					"cette façon, et la vérification a échoué.",
				Whose: "De votre côté : votre service informatique ou votre fournisseur de messagerie doit corriger.",
				Steps: []string{
					"Transférez ce message à votre service informatique ou à votre fournisseur et " +
						"demandez-leur de vérifier SPF, DKIM et DMARC pour votre domaine.",
					"Renvoyez le message quand ils confirment la correction.",
				},
			},
			Admin: texts{
				Headline: "Échec SPF/DKIM/DMARC sur le serveur destinataire[[ {mta}]][[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] a rejeté le courrier pour {rcpt} car l'authentification " +
					"de l'expéditeur a échoué.[[ Diagnostic : « {diag} »]]",
				Whose: "Côté expéditeur : les domaines de l'enveloppe et du From doivent s'authentifier et être " +
					"alignés.",
				Steps: []string{
					"Trouvez le contrôle en échec : envoyez un test vers une boîte que vous contrôlez chez un " +
						"grand fournisseur et lisez son en-tête Authentication-Results (spf=, dkim=, dmarc= et les " +
						"domaines vérifiés).",
					"SPF : `dig +short TXT <domaine de l'enveloppe>` doit renvoyer un seul enregistrement " +
						"v=spf1 couvrant toutes les IP d'envoi (ip4:, ip6:, include: pour chaque plateforme), avec " +
						"au plus 10 requêtes DNS, terminé par ~all ou -all.",
					"DKIM : signez avec une clé de 2048 bits (1024 au minimum) ; `dig +short TXT " +
						"<sélecteur>._domainkey.<domaine>` doit correspondre à la clé de signature ; rien ne doit " +
						"réécrire le corps ni les en-têtes signés après la signature.",
					"DMARC : publiez `_dmarc.<domaine>` TXT `v=DMARC1; p=none; rua=mailto:<adresse des " +
						"rapports>` et alignez le domaine du From sur celui du SPF (Return-Path) ou sur le d= de " +
						"DKIM.",
					"Règles Gmail et Yahoo pour les gros expéditeurs (plus de 5 000 messages par jour chez " +
						"eux) : SPF et DKIM valides, DMARC publié et aligné, désinscription en un clic " +
						"(List-Unsubscribe, RFC 8058), taux de plaintes sous 0,3 %.",
					"Renvoyez quand un test montre spf=pass, dkim=pass et dmarc=pass.",
				},
			},
		},
		{Reason: classify.AuthFailure, Side: classify.SideRecipient}: {
			Marketer: texts{
				Headline: "Refusé après une redirection du destinataire qui a cassé l'authentification",
				What: "L'adresse[[ {rcpt}]] redirige son courrier vers une autre boîte. La redirection a " +
					"transmis le message d'une manière qui casse son authentification, et la messagerie finale " +
					"l'a refusé[[ (réponse {code})]].[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Côté destinataire : sa redirection est en cause ; votre authentification est correcte.",
				Steps: []string{
					"Rien à changer dans votre configuration d'envoi.",
					"Si le contact compte, demandez-lui l'adresse de sa boîte finale, ou de faire corriger sa " +
						"redirection.",
					"Si les rejets continuent, retirez l'adresse de votre liste.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a été refusé à cause de la redirection du destinataire",
				What: "Le destinataire fait suivre son courrier vers une autre boîte, et la copie transférée y a " +
					"échoué à un contrôle de sécurité.",
				Whose: "Côté destinataire, pas le vôtre.",
				Steps: []string{
					"Demandez au destinataire son adresse directe, ou prévenez-le que sa redirection perd du courrier.",
				},
			},
			Admin: texts{
				Headline: "Authentification cassée par une redirection côté destinataire[[ ({code})]]",
				What: "Le courrier pour {rcpt} a été accepté puis redirigé, et rejeté à un saut suivant[[ " +
					"({mta})]] : la redirection garde l'expéditeur d'enveloppe d'origine, donc SPF y échoue, " +
					"et toute modification du message casse DKIM ; avec une politique DMARC stricte, le " +
					"destinataire final refuse.[[ Diagnostic : « {diag} »]]",
				Whose: "Côté destinataire : le redirecteur doit préserver l'authentification.",
				Steps: []string{
					"Confirmez-le dans les en-têtes Received du rejet : le message a été accepté pour le " +
						"domaine[[ {domain}]] puis rejeté à un saut suivant.",
					"Redirecteur : réécrivez l'expéditeur d'enveloppe avec SRS (pour Postfix, postsrsd avec " +
						"sender_canonical_maps et recipient_canonical_maps) pour que SPF passe au saut suivant, et " +
						"ne touchez ni au corps ni aux en-têtes signés pour que DKIM survive.",
					"Redirecteur : ajoutez des sceaux ARC (OpenARC par exemple) pour que les destinataires qui " +
						"font confiance à ARC acceptent le courrier redirigé.",
					"Expéditeur : signez chaque message avec DKIM pour le domaine du From ; une signature DKIM " +
						"alignée survit à une simple redirection, même quand SPF échoue.",
				},
			},
		},
		{Reason: classify.AuthFailure, Side: classify.SideUnknown}: {
			Marketer: texts{
				Headline: "Refusé pour échec d'authentification de l'expéditeur : la cause n'est pas encore claire",
				What: "Le serveur destinataire[[ {mta}]] a refusé le message pour {rcpt} car l'authentification " +
					"de l'expéditeur (SPF, DKIM, DMARC) a échoué[[ (réponse {code})]]. Soit les " +
					"enregistrements du domaine d'envoi sont incomplets, soit le destinataire redirige son " +
					"courrier d'une façon qui casse ces contrôles.[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Indéterminé : soit les réglages du domaine d'envoi, soit la redirection du destinataire.",
				Steps: []string{
					"Demandez au gestionnaire du domaine d'envoi d'envoyer un test vers une boîte Gmail ou " +
						"Outlook.com et de vérifier que SPF, DKIM et DMARC passent tous.",
					"S'ils passent, la redirection du destinataire est en cause : prévenez le contact, ou " +
						"demandez-lui son adresse directe.",
					"S'ils échouent, faites corriger les enregistrements du domaine, puis renvoyez.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a échoué à un contrôle de sécurité",
				What: "Soit les réglages de messagerie de votre domaine sont incomplets, soit la redirection du " +
					"destinataire a fait échouer le contrôle.",
				Whose: "On ne sait pas encore de quel côté il faut corriger.",
				Steps: []string{
					"Transférez ce message à votre service informatique ou à votre fournisseur de messagerie.",
					"Demandez au destinataire s'il fait suivre son courrier vers une autre adresse.",
				},
			},
			Admin: texts{
				Headline: "Échec SPF/DKIM/DMARC[[ sur {mta}]][[ ({code})]] : vos enregistrements ou une redirection " +
					"du destinataire",
				What: "Le courrier pour {rcpt} a été refusé sur l'authentification de l'expéditeur, et les " +
					"éléments ne disent pas si vos enregistrements échouent ou si un redirecteur côté " +
					"destinataire les a cassés.[[ Diagnostic : « {diag} »]]",
				Whose: "Inconnu : côté expéditeur si vos enregistrements échouent à un test direct, côté " +
					"destinataire (redirection) s'ils passent.",
				Steps: []string{
					"Envoyez un test vers une boîte que vous contrôlez chez un grand fournisseur et lisez " +
						"Authentication-Results : spf, dkim et dmarc doivent passer, avec le domaine du From " +
						"aligné.",
					"En cas d'échec : corrigez les enregistrements (SPF couvre toutes les IP d'envoi, clé DKIM " +
						"publiée et signature active, enregistrement `_dmarc` présent).",
					"En cas de succès : cherchez un saut de redirection dans les en-têtes Received du rejet ; " +
						"le redirecteur doit utiliser SRS et ARC, et c'est votre signature DKIM alignée qui survit " +
						"à la redirection.",
				},
			},
		},
		{Reason: classify.BadReputation}: {
			Marketer: texts{
				Headline: "Refusé à cause de la réputation de l'expéditeur",
				What: "Le serveur destinataire[[ {mta}]] a refusé le message pour {rcpt} car il juge en ce " +
					"moment l'adresse IP ou le domaine d'envoi peu fiable[[ (réponse {code})]]. La réputation " +
					"baisse avec les plaintes pour spam, les envois vers des adresses anciennes ou invalides " +
					"et les hausses brutales de volume.[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Côté expéditeur : la façon d'envoyer vers ce fournisseur doit changer.",
				Steps: []string{
					"Cessez d'écrire aux adresses qui ont rejeté vos messages ou n'ont rien ouvert depuis des " +
						"mois ; n'envoyez qu'aux personnes qui l'ont demandé.",
					"Rendez la désinscription facile (un lien en un clic) pour limiter les plaintes.",
					"Envoyez moins vers ce fournisseur pendant un temps, puis augmentez par paliers.",
					"Renvoyez plus tard : l'adresse elle-même n'est pas en cause.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a été refusé car votre serveur de messagerie n'inspire pas confiance en ce " +
					"moment",
				What: "Le fournisseur du destinataire se méfie actuellement du courrier venant de votre serveur " +
					"ou de votre domaine.",
				Whose: "De votre côté : votre fournisseur de messagerie doit corriger.",
				Steps: []string{
					"Transférez ce message à votre fournisseur de messagerie ou à votre service informatique.",
					"Réessayez plus tard, ou joignez le destinataire autrement en attendant.",
				},
			},
			Admin: texts{
				Headline: "Blocage pour réputation sur le serveur destinataire[[ {mta}]][[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] a refusé le courrier pour {rcpt} sur la réputation de " +
					"l'IP ou du domaine d'envoi.[[ Diagnostic : « {diag} »]]",
				Whose: "Côté expéditeur : la réputation de l'IP ou du domaine d'envoi doit remonter.",
				Steps: []string{
					"Consultez l'IP et le domaine d'envoi dans les outils des fournisseurs : Google Postmaster " +
						"Tools (taux de spam, réputation IP et domaine), Microsoft SNDS et JMRP, Yahoo Sender Hub.",
					"Vérifiez l'IP et les domaines du message dans les listes de blocage publiques (Spamhaus, " +
						"Barracuda, SpamCop) ; corrigez la cause avant de demander le retrait.",
					"Supprimez les rejets définitifs et les adresses inactives depuis longtemps, appliquez les " +
						"désinscriptions sous deux jours et gardez le taux de plaintes sous 0,3 % (règles Gmail et " +
						"Yahoo pour les gros expéditeurs).",
					"Vérifiez que SPF, DKIM et DMARC passent et sont alignés, et que l'IP d'envoi a un PTR " +
						"dont le nom pointe en retour vers elle.",
					"Limitez le débit vers ce fournisseur et remontez progressivement ; séparez les courriers " +
						"transactionnels et marketing sur des IP ou sous-domaines distincts.",
				},
			},
		},
		{Reason: classify.Blocked}: {
			Marketer: texts{
				Headline: "Refusé : le serveur d'envoi est bloqué par le serveur du destinataire",
				What: "Le serveur destinataire[[ {mta}]] a refusé le courrier pour {rcpt} venant du serveur qui " +
					"l'a envoyé[[ (réponse {code})]]. Le plus souvent, l'adresse IP d'envoi figure sur une " +
					"liste de blocage publique ou n'a pas de nom DNS correct.[[ Le serveur a répondu : « " +
					"{diag} »]]",
				Whose: "Côté expéditeur : le serveur d'envoi doit être corrigé et retiré des listes ; l'adresse " +
					"du destinataire est correcte.",
				Steps: []string{
					"Transférez ce rejet à qui gère le serveur d'envoi (le support de la plateforme ou votre " +
						"service informatique) pour vérifier les listes de blocage.",
					"Ne retirez pas le destinataire de votre liste à cause de ce seul rejet.",
					"Renvoyez une fois le blocage levé.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a été bloqué par le serveur du destinataire",
				What: "Le serveur du destinataire refuse pour le moment le courrier venant de votre serveur de " +
					"messagerie.",
				Whose: "De votre côté : votre fournisseur ou votre service informatique doit corriger.",
				Steps: []string{
					"Transférez ce message à votre fournisseur de messagerie ou à votre service informatique.",
					"Réessayez quand ils confirment que le blocage est levé.",
				},
			},
			Admin: texts{
				Headline: "Blocage à la connexion sur le serveur destinataire[[ {mta}]][[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] a refusé le courrier pour {rcpt} à cause de l'IP qui se " +
					"connecte ou de son nom : inscription sur une liste DNS de blocage (RBL), PTR absent ou " +
					"incohérent, ou blocage IP local.[[ Diagnostic : « {diag} »]]",
				Whose: "Côté expéditeur : l'IP d'envoi doit être assainie puis retirée des listes.",
				Steps: []string{
					"Repérez la liste citée dans le diagnostic (zen.spamhaus.org, b.barracudacentral.org, " +
						"bl.spamcop.net...) et interrogez-la : pour 192.0.2.1, `dig +short " +
						"1.2.0.192.zen.spamhaus.org` via votre propre résolveur (Spamhaus ne répond pas aux grands " +
						"résolveurs publics), ou les pages de recherche des listes.",
					"Corrigez d'abord la cause : compte compromis ou formulaire web qui envoie du spam, relais " +
						"ouvert, script détourné ; examinez la file (`postqueue -p`, `exim -bp`) et les journaux à " +
						"la recherche d'un volume anormal.",
					"Demandez ensuite le retrait : Spamhaus via check.spamhaus.org, Barracuda via son " +
						"formulaire de retrait ; les inscriptions SpamCop expirent d'elles-mêmes quand le spam " +
						"cesse.",
					"Vérifiez que l'IP d'envoi a un PTR dont le nom pointe en retour vers la même IP (DNS " +
						"inverse confirmé), et que le nom HELO est ce nom complet.",
					"Si le blocage est une liste propre au destinataire, écrivez à l'administrateur " +
						"(postmaster) du domaine[[ {domain}]] avec l'IP, l'heure et ce rejet.",
				},
			},
		},
		{Reason: classify.Blocked, Side: classify.SideRecipient}: {
			Marketer: texts{
				Headline: "Refusé par un blocage propre au destinataire, pas par une liste publique",
				What: "Le serveur destinataire[[ {mta}]] a refusé le courrier pour {rcpt} à cause d'un blocage " +
					"mis en place par le destinataire lui-même, par exemple un pays, un réseau ou un " +
					"expéditeur bloqué[[ (réponse {code})]].[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Côté destinataire : sa propre règle de blocage a refusé le courrier ; l'envoi est correct.",
				Steps: []string{
					"Aucun changement n'est nécessaire de votre côté.",
					"Si le contact souhaite recevoir vos messages, demandez-lui de faire autoriser votre " +
						"adresse ou votre serveur d'envoi par son service informatique.",
					"Si cela continue, retirez l'adresse de votre liste.",
				},
			},
			EndUser: texts{
				Headline: "Le serveur du destinataire bloque le courrier de votre serveur",
				What:     "L'organisation du destinataire bloque le courrier venant de l'endroit d'où part le vôtre.",
				Whose:    "Côté destinataire.",
				Steps: []string{
					"Demandez au destinataire de faire autoriser votre adresse par son service informatique, " +
						"ou contactez-le autrement.",
				},
			},
			Admin: texts{
				Headline: "Blocage local sur le serveur du destinataire[[ {mta}]][[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] a refusé le courrier pour {rcpt} sur une liste ou une " +
					"règle à lui (plage de pays ou de réseau, liste privée), pas sur une RBL publique.[[ " +
					"Diagnostic : « {diag} »]]",
				Whose: "Côté destinataire : sa politique locale bloque votre IP ou votre domaine.",
				Steps: []string{
					"Vérifiez que l'IP d'envoi ne figure sur aucune liste publique (Spamhaus, Barracuda, " +
						"SpamCop) : le blocage est alors le sien seul.",
					"Écrivez à l'administrateur (postmaster) du domaine[[ {domain}]] avec l'IP d'envoi, " +
						"l'heure et le diagnostic, et demandez la levée du blocage.",
					"D'ici là, suspendez les envois vers ce domaine.",
				},
			},
		},
		{Reason: classify.Blocked, Side: classify.SideUnknown}: {
			Marketer: texts{
				Headline: "Bloqué : soit le serveur d'envoi est sur une liste, soit le destinataire le bloque lui-même",
				What: "Le serveur destinataire[[ {mta}]] a refusé le courrier pour {rcpt} à cause de sa " +
					"provenance[[ (réponse {code})]]. Le rejet ne dit pas si une liste de blocage publique " +
					"contient le serveur d'envoi ou si le destinataire le bloque par une règle à lui.[[ Le " +
					"serveur a répondu : « {diag} »]]",
				Whose: "Indéterminé : côté expéditeur si le serveur est sur une liste publique, côté destinataire " +
					"sinon.",
				Steps: []string{
					"Demandez au support de la plateforme ou à votre service informatique de vérifier les " +
						"listes de blocage publiques pour le serveur d'envoi.",
					"S'il y figure, ils corrigent la cause et demandent le retrait ; renvoyez ensuite.",
					"S'il n'y figure pas, le blocage vient du destinataire : demandez au contact de le faire lever.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a été bloqué",
				What:     "Le serveur du destinataire a refusé le courrier venant de votre serveur de messagerie.",
				Whose:    "On ne sait pas encore de quel côté il faut corriger.",
				Steps: []string{
					"Transférez ce message à votre service informatique ou à votre fournisseur de messagerie.",
					"Ou contactez le destinataire autrement.",
				},
			},
			Admin: texts{
				Headline: "Blocage sur le serveur destinataire[[ {mta}]][[ ({code})]] : liste publique ou règle locale",
				What: "Le serveur destinataire[[ {mta}]] a refusé le courrier pour {rcpt} sur l'IP qui se " +
					"connecte, et les éléments ne disent pas si une RBL publique ou une règle locale en est la " +
					"cause.[[ Diagnostic : « {diag} »]]",
				Whose: "Inconnu : côté expéditeur si une RBL publique liste l'IP, côté destinataire si le blocage " +
					"est local.",
				Steps: []string{
					"Cherchez l'IP d'envoi dans les listes citées par le diagnostic, ou dans Spamhaus ZEN, " +
						"Barracuda et SpamCop (via votre propre résolveur : Spamhaus ne répond pas aux grands " +
						"résolveurs publics).",
					"Listée : trouvez et corrigez la cause (compte compromis, relais ouvert, liste douteuse), " +
						"puis demandez le retrait.",
					"Non listée : vérifiez PTR et HELO (DNS inverse confirmé), puis écrivez à l'administrateur " +
						"(postmaster) du domaine[[ {domain}]] au sujet de son blocage local.",
				},
			},
		},
		{Reason: classify.ContentError}: {
			Marketer: texts{
				Headline: "Refusé : le format du message a été rejeté",
				What: "Le serveur destinataire[[ {mta}]] a refusé le message pour {rcpt} car une partie en était " +
					"mal formée : un en-tête, le jeu de caractères ou l'encodage du contenu[[ (réponse " +
					"{code})]].[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Côté expéditeur : le message doit être construit correctement ; le destinataire n'est pas " +
					"en cause.",
				Steps: []string{
					"Envoyez-vous un test du même message et vérifiez qu'il s'affiche correctement.",
					"Si le HTML a été modifié à la main ou collé depuis un autre outil, reconstruisez-le dans " +
						"l'éditeur de la plateforme.",
					"Transmettez ce rejet au support de la plateforme avec le nom de la campagne : le défaut " +
						"est dans la fabrication du message.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a été refusé car son format était incorrect",
				What:     "Le serveur du destinataire n'a pas pu accepter la façon dont votre message était construit.",
				Whose:    "De votre côté, ou de celui de votre logiciel de messagerie.",
				Steps: []string{
					"Renvoyez-le sans pièces jointes ni mise en forme inhabituelles.",
					"Si l'échec se répète, transférez ce message à votre service informatique.",
				},
			},
			Admin: texts{
				Headline: "Contenu mal formé rejeté par le serveur destinataire[[ {mta}]][[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] a refusé le message pour {rcpt} à cause de sa structure " +
					"MIME, de la syntaxe d'un en-tête ou de son encodage.[[ Diagnostic : « {diag} »]]",
				Whose: "Côté expéditeur : ce qui produit le message doit générer du MIME valide.",
				Steps: []string{
					"Prenez le message exactement tel qu'envoyé (dans la file ou l'archive de la plateforme) " +
						"et vérifiez-le : un seul Content-Type par partie, des délimiteurs cohérents, un jeu de " +
						"caractères déclaré, un Content-Transfer-Encoding adapté au contenu (8bit seulement si le " +
						"serveur annonce 8BITMIME).",
					"Vérifiez qu'aucune ligne ne dépasse 998 caractères et que le texte non ASCII des en-têtes " +
						"est encodé (RFC 2047), sauf si le destinataire annonce SMTPUTF8.",
					"Corrigez le modèle ou la bibliothèque qui construit le message, puis renvoyez.",
				},
			},
		},
		{Reason: classify.Delivered}: {
			Marketer: texts{
				Headline: "Distribué : il s'agit d'un rapport de succès",
				What: "Le rapport confirme que le message pour {rcpt} a été distribué[[ par {mta}]], ou transmis " +
					"à un serveur qui n'envoie pas de rapports. Rien n'a été rejeté.",
				Whose: "Personne n'a rien à faire.",
				Steps: []string{
					"Aucune action ; gardez l'adresse dans votre liste.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a été distribué",
				What:     "Il s'agit d'une confirmation de distribution, pas d'une erreur.",
				Whose:    "Personne n'a rien à faire.",
				Steps: []string{
					"Aucune action nécessaire.",
				},
			},
			Admin: texts{
				Headline: "Notification d'état de distribution : succès pour {rcpt}",
				What: "Le DSN signale une action réussie (delivered, relayed ou expanded)[[ sur {mta}]][[ avec " +
					"l'état {status}]]. Il a été demandé avec NOTIFY=SUCCESS, ou envoyé comme avis « relayed » " +
					"par un saut qui ne gère pas les DSN.",
				Whose: "Aucun côté : rien n'a échoué.",
				Steps: []string{
					"Aucune action nécessaire.",
					"Si vous ne voulez pas de ces rapports, ne demandez plus NOTIFY=SUCCESS (ni d'accusé de " +
						"réception) à l'envoi.",
				},
			},
		},
		{Reason: classify.EmailTooLarge}: {
			Marketer: texts{
				Headline: "Refusé : le message est trop volumineux pour le serveur du destinataire",
				What: "Le serveur destinataire[[ {mta}]] a refusé le message pour {rcpt} car il dépasse la " +
					"taille qu'il accepte[[ (réponse {code})]]. Les pièces jointes et les images intégrées " +
					"comptent, et l'envoi les grossit d'environ un tiers.[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Côté expéditeur : le message doit être allégé.",
				Steps: []string{
					"Mettez un lien vers les gros fichiers au lieu de les joindre.",
					"Compressez ou redimensionnez les images, et gardez le message bien en dessous de 10 Mo.",
					"Renvoyez la version allégée ; l'adresse est correcte.",
				},
			},
			EndUser: texts{
				Headline: "Votre message était trop volumineux pour être distribué",
				What:     "Le serveur du destinataire n'accepte pas de messages aussi gros.",
				Whose:    "De votre côté : le message doit être plus léger.",
				Steps: []string{
					"Partagez les gros fichiers par un lien de téléchargement plutôt qu'en pièce jointe.",
					"Renvoyez le message allégé.",
				},
			},
			Admin: texts{
				Headline: "Limite de taille dépassée sur le serveur destinataire[[ {mta}]][[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] a refusé le message pour {rcpt} en raison de sa taille, " +
					"sur le SIZE annoncé avec MAIL FROM ou après DATA.[[ Diagnostic : « {diag} »]]",
				Whose: "Côté expéditeur : le message doit respecter la limite du destinataire.",
				Steps: []string{
					"Lisez la limite annoncée par le destinataire : sa réponse à EHLO contient `250-SIZE " +
						"<octets>`[[ (par exemple `swaks --to {rcpt} --quit-after EHLO`)]].",
					"Comparez-la à la taille encodée : base64 ajoute environ 37 % aux pièces jointes.",
					"Allégez le message (liens plutôt que pièces jointes) et renvoyez ; si la limite du " +
						"destinataire est très en dessous de l'usage (10 à 25 Mo), prévenez l'administrateur " +
						"(postmaster) du domaine[[ {domain}]].",
				},
			},
		},
		{Reason: classify.Expired}: {
			Marketer: texts{
				Headline: "Non distribué : le serveur d'envoi a abandonné après plusieurs essais",
				What: "Le serveur d'envoi a essayé pendant un certain temps de distribuer le message pour " +
					"{rcpt}, sans parvenir à joindre le serveur du destinataire ni à obtenir de réponse, puis " +
					"a abandonné.[[ Dernière erreur : « {diag} »]]",
				Whose: "Aucune configuration en cause d'après le rejet : le serveur du destinataire est resté " +
					"injoignable longtemps.",
				Steps: []string{
					"Renvoyez plus tard : ce genre de panne est généralement temporaire.",
					"Si le même domaine échoue pendant des jours, il ne reçoit peut-être plus de courrier : " +
						"vérifiez auprès du contact.",
				},
			},
			EndUser: texts{
				Headline: "Votre message n'a pas pu être distribué à temps",
				What: "Le serveur du destinataire est resté injoignable longtemps, et la distribution a été " +
					"abandonnée.",
				Whose: "Aucun réglage en cause : le serveur du destinataire était injoignable.",
				Steps: []string{
					"Réessayez plus tard.",
					"En cas de nouvel échec, contactez le destinataire autrement.",
				},
			},
			Admin: texts{
				Headline: "Durée de vie en file dépassée pour {rcpt}",
				What: "La distribution pour {rcpt} a été retentée jusqu'à la fin de la durée de vie en file[[ ; " +
					"dernier hôte essayé : {mta}]].[[ Dernière erreur : « {diag} »]]",
				Whose: "Réseau : le côté distant était injoignable ou différait sans cesse ; rien dans votre " +
					"configuration n'est connu comme fautif.",
				Steps: []string{
					"Vérifiez les hôtes MX[[ (`dig +short MX {domain}`)]] et testez chacun sur le port 25 " +
						"depuis l'hôte d'envoi (`nc -vz <mx> 25`).",
					"Vérifiez que le port 25 sortant est ouvert : beaucoup de réseaux cloud et résidentiels le " +
						"bloquent.",
					"Lisez les raisons des reports dans le journal (Postfix : `grep <id de file> " +
						"/var/log/mail.log`) : des réponses 4xx répétées signalent du greylisting ou une limite de " +
						"débit, des délais dépassés un hôte ou une route en panne.",
					"Si le domaine est injoignable depuis des jours pour de nombreux expéditeurs, supprimez " +
						"l'adresse ; sinon renvoyez.",
				},
			},
		},
		{Reason: classify.FailedSTARTTLS}: {
			Marketer: texts{
				Headline: "Non distribué : la connexion sécurisée n'a pas pu être établie",
				What: "Le serveur d'envoi et le serveur de {rcpt} n'ont pas pu s'accorder sur une connexion " +
					"chiffrée (TLS), alors que l'un des deux l'exige[[ (réponse {code})]].[[ Le serveur a " +
					"répondu : « {diag} »]]",
				Whose: "En général, pas les réglages courants de l'un ou l'autre : un certificat ou un paramètre " +
					"de chiffrement sur l'un des deux serveurs.",
				Steps: []string{
					"Renvoyez plus tard : ces problèmes sont souvent vite corrigés.",
					"Si cela persiste, transmettez le rejet au support de la plateforme pour qu'il vérifie TLS " +
						"avec ce domaine.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a échoué à un contrôle de sécurité de la connexion",
				What:     "Les deux serveurs de messagerie n'ont pas pu établir de connexion chiffrée.",
				Whose:    "Ce n'est pas votre faute : un réglage de serveur d'un côté ou de l'autre.",
				Steps: []string{
					"Réessayez plus tard.",
					"En cas de nouvel échec, transférez ce message à votre service informatique.",
				},
			},
			Admin: texts{
				Headline: "Échec STARTTLS avec le serveur destinataire[[ {mta}]][[ ({code})]]",
				What: "La négociation TLS pour {rcpt}[[ avec {mta}]] a échoué, alors que TLS était exigé par la " +
					"politique de l'expéditeur (MTA-STS, DANE, Postfix smtp_tls_security_level = encrypt ou " +
					"verify) ou par le destinataire.[[ Diagnostic : « {diag} »]]",
				Whose: "Réseau ou configuration : un désaccord TLS entre les deux serveurs.",
				Steps: []string{
					"Testez la négociation : `openssl s_client -starttls smtp -connect <mx>:25 -servername " +
						"<mx>`, et examinez la chaîne de certificats, la date d'expiration, le nom d'hôte et les " +
						"versions de protocole.",
					"Si le domaine destinataire publie MTA-STS (TXT `_mta-sts.<domaine>` et son fichier de " +
						"politique) ou des enregistrements DANE TLSA, vérifiez que son certificat y correspond " +
						"encore ; une politique périmée après un changement de certificat est une cause fréquente.",
					"De votre côté, activez TLS 1.2 ou plus avec des suites de chiffrement actuelles, et tenez " +
						"à jour le magasin d'autorités (Postfix : smtp_tls_CAfile ou smtp_tls_CApath).",
					"Si le défaut est chez eux, envoyez la sortie d'openssl à l'administrateur (postmaster) du " +
						"domaine[[ {domain}]].",
				},
			},
		},
		{Reason: classify.Feedback}: {
			Marketer: texts{
				Headline: "Plainte : le destinataire a signalé le message comme spam",
				What: "Ce n'est pas un rejet : le destinataire[[ {rcpt}]], ou le filtre de son fournisseur, a " +
					"signalé le message comme indésirable, et la messagerie a renvoyé la plainte par sa boucle " +
					"de retour (feedback loop).",
				Whose: "C'est à l'expéditeur d'agir : cette personne ne veut plus de ces messages.",
				Steps: []string{
					"Désinscrivez l'adresse immédiatement et ne lui écrivez plus.",
					"Vérifiez que cette personne s'était bien inscrite, et qu'il est facile de se désabonner " +
						"de vos messages.",
					"Si les plaintes augmentent, revoyez la façon dont la liste a été constituée et la " +
						"fréquence d'envoi.",
				},
			},
			EndUser: texts{
				Headline: "Le destinataire a signalé votre message comme spam",
				What:     "Il s'agit d'une plainte, pas d'une erreur de distribution.",
				Whose:    "De votre côté : cessez d'écrire à cette personne.",
				Steps: []string{
					"N'envoyez plus de messages de ce genre à cette personne.",
				},
			},
			Admin: texts{
				Headline: "Rapport ARF (plainte) pour {rcpt}",
				What: "Un rapport de retour RFC 5965 : le fournisseur du destinataire transmet une plainte, " +
					"généralement issue du bouton « signaler comme spam », par sa boucle de retour[[ ; rapport " +
					"émis par {reporter}]].",
				Whose: "Côté expéditeur : la plainte doit être prise en compte.",
				Steps: []string{
					"Supprimez immédiatement l'adresse qui se plaint ; les règles Gmail et Yahoo pour les gros " +
						"expéditeurs attendent un taux de plaintes sous 0,3 %, idéalement sous 0,1 %.",
					"Envoyez List-Unsubscribe en un clic (RFC 8058) pour que les gens se désinscrivent au lieu " +
						"de se plaindre.",
					"Inscrivez-vous aux boucles de retour qui vous manquent (Yahoo CFL, Microsoft JMRP) et " +
						"surveillez le taux de spam dans Google Postmaster Tools.",
					"Revoyez l'origine de la liste et la fréquence d'envoi de la campagne qui a provoqué la plainte.",
				},
			},
		},
		{Reason: classify.Filtered}: {
			Marketer: texts{
				Headline: "Refusé par le filtre du destinataire",
				What: "Le serveur destinataire[[ {mta}]] connaît l'adresse[[ {rcpt}]], mais un filtre côté " +
					"destinataire a refusé le message[[ (réponse {code})]]. Ces filtres sont réglés par le " +
					"destinataire ou son organisation (règles sur les expéditeurs, les sujets ou les pièces " +
					"jointes).[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Côté destinataire : ses règles de filtrage en ont décidé ainsi.",
				Steps: []string{
					"Vérifiez que le message n'a pas l'air d'un spam (sujet trompeur, surtout des images, " +
						"liens raccourcis).",
					"Si le contact souhaite vos messages, demandez-lui d'ajouter votre adresse d'envoi à ses " +
						"expéditeurs approuvés.",
					"Ne renvoyez pas le même message encore et encore.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a été arrêté par le filtre du destinataire",
				What:     "Un filtre côté destinataire a refusé votre message.",
				Whose:    "Côté destinataire.",
				Steps: []string{
					"Demandez au destinataire d'autoriser votre adresse, ou contactez-le autrement.",
				},
			},
			Admin: texts{
				Headline: "Rejeté après DATA par le filtre du destinataire[[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] a accepté le destinataire {rcpt} mais refusé le message " +
					"après DATA, sur une règle d'en-tête ou de contenu côté destinataire.[[ Diagnostic : « " +
					"{diag} »]]",
				Whose: "Côté destinataire : un filtre y a refusé le contenu ; c'est sa politique.",
				Steps: []string{
					"Cherchez dans le diagnostic la règle déclenchée (contrôle d'en-tête, type de pièce " +
						"jointe, filtre personnel).",
					"Examinez les déclencheurs courants : pièces jointes exécutables ou à macros, " +
						"raccourcisseurs d'URL, texte de lien différent de sa cible, absence de partie text/plain.",
					"Si le courrier est souhaité, demandez au destinataire ou à l'administrateur (postmaster) " +
						"du domaine[[ {domain}]] d'autoriser l'expéditeur, en donnant l'heure et le Message-ID.",
				},
			},
		},
		{Reason: classify.HasMoved}: {
			Marketer: texts{
				Headline: "Le destinataire a changé d'adresse",
				What: "Le serveur de {rcpt} indique que la personne n'est plus à cette adresse et que le " +
					"courrier n'est pas réexpédié[[ (réponse {code})]].[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Côté destinataire : l'adresse n'est plus utilisée.",
				Steps: []string{
					"Retirez cette adresse de votre liste.",
					"Si le rejet donne une nouvelle adresse, ne la substituez pas d'office : demandez à la " +
						"personne de se réinscrire avec elle.",
				},
			},
			EndUser: texts{
				Headline: "Le destinataire a une nouvelle adresse",
				What:     "Cette adresse n'est plus utilisée.",
				Whose:    "Côté destinataire.",
				Steps: []string{
					"Cherchez une nouvelle adresse dans ce message, ou demandez-la à la personne, puis renvoyez.",
				},
			},
			Admin: texts{
				Headline: "Boîte déplacée : {rcpt}[[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] indique que {rcpt} a déménagé (typiquement 551 User not " +
					"local, ou 5.1.6) et ne fait pas suivre.[[ Diagnostic : « {diag} »]]",
				Whose: "Côté destinataire : la boîte n'est plus à cette adresse.",
				Steps: []string{
					"Traitez-le comme un rejet définitif et supprimez l'adresse.",
					"Si la réponse donne une nouvelle adresse, mettez le contact à jour seulement avec " +
						"l'accord de la personne.",
				},
			},
		},
		{Reason: classify.HostUnknown}: {
			Marketer: texts{
				Headline: "Impossible à distribuer : le domaine du destinataire ne reçoit pas de courrier",
				What: "Le domaine[[ {domain}]] n'existe pas ou n'est pas configuré pour recevoir du courrier, si " +
					"bien que le message pour {rcpt} n'a pas pu être distribué[[ (réponse {code})]].[[ Le " +
					"serveur a répondu : « {diag} »]]",
				Whose: "Côté destinataire : le domaine manque ou n'est pas configuré pour le courrier, souvent à " +
					"cause d'une faute de frappe dans l'adresse.",
				Steps: []string{
					"Cherchez une faute de frappe dans le domaine (gmial.com pour gmail.com, par exemple) et " +
						"corrigez-la si la personne confirme.",
					"Sinon retirez l'adresse de votre liste : le domaine ne peut pas recevoir de courrier.",
				},
			},
			EndUser: texts{
				Headline: "Le domaine de l'adresse n'existe pas",
				What:     "La partie après le @ de l'adresse[[ {rcpt}]] ne mène à aucun serveur de messagerie.",
				Whose:    "L'adresse est fausse ou ne fonctionne plus.",
				Steps: []string{
					"Vérifiez l'adresse (faute de frappe) et renvoyez.",
					"Si elle est correcte, demandez une autre adresse à la personne.",
				},
			},
			Admin: texts{
				Headline: "Hôte ou domaine introuvable : {domain}[[ ({code})]]",
				What: "Aucun serveur de messagerie n'a été trouvé pour le domaine[[ {domain}]] : NXDOMAIN, ni MX " +
					"ni enregistrement d'adresse, ou un MX nul (RFC 7505).[[ Diagnostic : « {diag} »]]",
				Whose: "Côté destinataire : le DNS du domaine n'achemine pas le courrier.",
				Steps: []string{
					"Vérifiez le DNS depuis l'extérieur[[ (`dig MX {domain}`, `dig A {domain}`)]] : NXDOMAIN " +
						"signifie que le domaine n'existe pas, `0 .` comme seul MX qu'il refuse tout courrier " +
						"volontairement.",
					"Cherchez une faute de frappe dans le domaine de l'adresse ; ne la corrigez qu'avec " +
						"l'accord de la personne.",
					"Si vous gérez ce domaine : publiez des MX qui désignent des noms d'hôtes (ni adresses IP " +
						"ni CNAME) ayant des enregistrements A ou AAAA, et vérifiez que l'enregistrement du " +
						"domaine n'a pas expiré.",
					"Sinon supprimez l'adresse : réessayer ne servira à rien.",
				},
			},
		},
		{Reason: classify.HostUnknown, Side: classify.SideNetwork}: {
			Marketer: texts{
				Headline: "Pas encore distribué : le domaine du destinataire n'a pas pu être résolu",
				What: "La recherche du serveur de messagerie du domaine[[ {domain}]] a échoué pour l'instant, si " +
					"bien que le message pour {rcpt} n'a pas été distribué[[ (réponse {code})]].[[ Le serveur " +
					"a répondu : « {diag} »]]",
				Whose: "Aucun réglage en cause d'après le rejet : une panne DNS en chemin, en général temporaire.",
				Steps: []string{
					"Renvoyez plus tard.",
					"Si le domaine échoue encore après un jour ou deux, vérifiez auprès du contact que son " +
						"domaine fonctionne.",
				},
			},
			EndUser: texts{
				Headline: "Votre message ne peut pas atteindre ce domaine pour l'instant",
				What:     "Le domaine du destinataire est introuvable pour le moment, sans doute un problème passager.",
				Whose:    "Personne n'est en faute pour l'instant.",
				Steps: []string{
					"Réessayez plus tard.",
				},
			},
			Admin: texts{
				Headline: "Échec DNS temporaire pour {domain}",
				What: "La résolution du MX du domaine[[ {domain}]] a échoué avec une erreur temporaire (SERVFAIL " +
					"ou délai dépassé), pas une réponse définitive.[[ Diagnostic : « {diag} »]]",
				Whose: "Réseau : le DNS a échoué en transit ; aucune configuration n'est encore connue comme fautive.",
				Steps: []string{
					"Interrogez depuis l'hôte d'envoi et via un autre résolveur[[ (`dig MX {domain}`)]], et " +
						"comparez les réponses.",
					"SERVFAIL partout indique un DNSSEC cassé ou des serveurs de noms hors service pour le " +
						"domaine : `dig +trace` ou `delv` montrent où la chaîne casse.",
					"SERVFAIL seulement sur votre hôte indique votre résolveur (systemd-resolved, unbound, " +
						"celui du fournisseur) : vérifiez-le, ainsi que ses serveurs amont.",
					"Laissez la file réessayer ; ne supprimez pas l'adresse sur ce seul rejet.",
				},
			},
		},
		{Reason: classify.MailboxFull}: {
			Marketer: texts{
				Headline: "Non distribué : la boîte du destinataire est pleine",
				What: "La boîte de {rcpt} a atteint sa limite de stockage, et son serveur refuse le nouveau " +
					"courrier[[ (réponse {code})]].[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Côté destinataire : c'est à lui de faire de la place ; votre envoi est correct.",
				Steps: []string{
					"Rien à changer de votre côté ; renvoyez plus tard, la personne peut vider sa boîte.",
					"Si la boîte reste pleine pendant plusieurs semaines d'envois, elle est sans doute " +
						"abandonnée : retirez l'adresse.",
				},
			},
			EndUser: texts{
				Headline: "La boîte du destinataire est pleine",
				What:     "Le destinataire n'a plus de place pour de nouveaux messages.",
				Whose:    "Côté destinataire.",
				Steps: []string{
					"Réessayez dans quelques jours, ou joignez la personne autrement pour qu'elle libère de la place.",
				},
			},
			Admin: texts{
				Headline: "Boîte au-delà de son quota : {rcpt}[[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] a refusé la distribution pour {rcpt} car la boîte " +
					"dépasse son quota (typiquement 452 ou 552 avec 4.2.2 ou 5.2.2).[[ Diagnostic : « {diag} " +
					"»]]",
				Whose: "Côté destinataire : le titulaire de la boîte ou son administrateur doit libérer de la " +
					"place ou relever le quota.",
				Steps: []string{
					"Traitez-le comme temporaire : laissez la file réessayer, et renvoyez plus tard.",
					"Supprimez l'adresse si elle reste pleine pendant quelques semaines d'envois : une boîte " +
						"qui ne se vide jamais est en général abandonnée.",
					"Si vous gérez ce domaine : vérifiez le quota (Dovecot : `doveadm quota get -u " +
						"<utilisateur>`) et refusez le courrier hors quota dès RCPT plutôt que de le rejeter après " +
						"acceptation.",
				},
			},
		},
		{Reason: classify.MailboxFull, Side: classify.SideSender}: {
			Marketer: texts{
				Headline: "Non envoyé : la boîte de l'expéditeur elle-même est pleine",
				What: "La boîte du compte d'envoi a dépassé sa limite de stockage, et son serveur refuse " +
					"d'envoyer depuis ce compte[[ (réponse {code})]]. Le destinataire[[ {rcpt}]] n'y est pour " +
					"rien.[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Côté expéditeur : la boîte de l'expéditeur doit être allégée.",
				Steps: []string{
					"Supprimez ou archivez d'anciens messages dans la boîte d'envoi (Éléments envoyés et " +
						"Éléments supprimés compris), ou faites relever son quota.",
					"Renvoyez ; l'adresse du destinataire est correcte.",
				},
			},
			EndUser: texts{
				Headline: "Votre message n'est pas parti car votre boîte est pleine",
				What:     "Votre propre boîte n'a plus de place, et votre serveur refuse donc d'envoyer.",
				Whose:    "De votre côté.",
				Steps: []string{
					"Videz vos Éléments supprimés et supprimez ou archivez les gros messages anciens.",
					"Renvoyez le message.",
				},
			},
			Admin: texts{
				Headline: "Boîte de l'expéditeur au-delà de son quota d'envoi[[ ({code})]]",
				What: "La boîte d'envoi dépasse son quota d'envoi (Exchange : ProhibitSendQuota, " +
					"QuotaExceededException), et le serveur de soumission[[ {reporter}]] a refusé d'envoyer à " +
					"{rcpt}.[[ Diagnostic : « {diag} »]]",
				Whose: "Côté expéditeur : le quota de la boîte d'envoi.",
				Steps: []string{
					"Vérifiez la taille et les limites de la boîte (Exchange : `Get-MailboxStatistics " +
						"<utilisateur>` et `Get-Mailbox <utilisateur> | Format-List *Quota`).",
					"Libérez de la place ou relevez ProhibitSendQuota, puis renvoyez.",
				},
			},
		},
		{Reason: classify.MailerError}: {
			Marketer: texts{
				Headline: "Non distribué : un programme a échoué sur le serveur du destinataire",
				What: "Le serveur du destinataire a pris le message pour {rcpt}, mais le programme qui dépose le " +
					"courrier dans la boîte a échoué[[ (réponse {code})]].[[ Le serveur a répondu : « {diag} " +
					"»]]",
				Whose: "Côté destinataire : son serveur a une panne technique.",
				Steps: []string{
					"Renvoyez plus tard.",
					"Si l'échec se répète, prévenez le contact que sa messagerie a un problème.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a rencontré une panne technique chez le destinataire",
				What:     "La messagerie du destinataire n'a pas réussi à le déposer dans la boîte.",
				Whose:    "Côté destinataire.",
				Steps: []string{
					"Réessayez plus tard, ou joignez la personne autrement.",
				},
			},
			Admin: texts{
				Headline: "Échec de la distribution locale pour {rcpt}[[ ({code})]]",
				What: "Le serveur final[[ {mta}]] a lancé un programme de distribution (procmail, maildrop, un " +
					"pipe, un LDA ou LMTP) qui s'est terminé en erreur.[[ Diagnostic : « {diag} »]]",
				Whose: "Côté destinataire : le programme de distribution de son serveur doit être corrigé.",
				Steps: []string{
					"Lisez le code de sortie dans le diagnostic : 75 (EX_TEMPFAIL) est temporaire, 67 " +
						"(EX_NOUSER) signifie utilisateur inconnu, 73 (EX_CANTCREAT) désigne des droits ou un " +
						"quota.",
					"Si vous gérez ce domaine : lancez la commande de distribution à la main sous " +
						"l'utilisateur avec le message conservé, et vérifiez le journal du programme et les droits " +
						"sur la boîte.",
					"Sinon renvoyez plus tard, et prévenez l'administrateur (postmaster) du domaine[[ " +
						"{domain}]] si cela persiste.",
				},
			},
		},
		{Reason: classify.NetworkError}: {
			Marketer: texts{
				Headline: "Pas encore distribué : un problème de réseau en chemin",
				What: "Le serveur d'envoi n'a pas pu joindre le serveur de {rcpt}, ou a perdu la connexion[[ " +
					"(réponse {code})]].[[ L'erreur était : « {diag} »]]",
				Whose: "Aucun réglage en cause : le réseau ou le DNS a échoué en chemin.",
				Steps: []string{
					"Renvoyez plus tard ; ces erreurs se résorbent en général.",
					"Si le même domaine échoue plusieurs jours, vérifiez auprès du contact.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a été retardé par un problème de réseau",
				What:     "La connexion au serveur du destinataire a échoué.",
				Whose:    "Personne n'est en faute.",
				Steps: []string{
					"Réessayez plus tard.",
				},
			},
			Admin: texts{
				Headline: "Erreur réseau ou DNS vers {domain}",
				What: "La distribution pour {rcpt} a échoué en transit : connexion refusée ou expirée, connexion " +
					"perdue, ou panne DNS[[ (dernier hôte : {mta})]].[[ Diagnostic : « {diag} »]]",
				Whose: "Réseau : aucun défaut de configuration d'un côté ou de l'autre pour l'instant.",
				Steps: []string{
					"Testez depuis l'hôte d'envoi : résolvez le MX[[ (`dig +short MX {domain}`)]], puis `nc " +
						"-vz <mx> 25`.",
					"Vérifiez que votre fournisseur ne bloque pas le port 25 sortant (fréquent sur les réseaux " +
						"cloud et domestiques) et que votre pare-feu l'autorise.",
					"Vérifiez IPv6 : si le MX a des enregistrements AAAA et que votre route IPv6 est cassée, " +
						"préférez IPv4 (Postfix : smtp_address_preference = ipv4).",
					"Laissez la file réessayer ; ne supprimez l'adresse que si l'échec dure des jours.",
				},
			},
		},
		{Reason: classify.NoRelaying}: { // côté indéterminé : les deux hypothèses, DESIGN.md « Relaying denied »
			Marketer: texts{
				Headline: "Refusé avec « relais refusé » (relaying denied) : la cause n'est pas encore claire",
				What: "Un serveur de messagerie[[ ({mta})]] a refusé de transmettre le message pour {rcpt}, car " +
					"il ne s'estime pas autorisé à le relayer[[ (réponse {code})]]. Cette réponse a deux " +
					"causes opposées, et ce rejet ne dit pas laquelle s'applique : soit le système d'envoi ne " +
					"s'est pas identifié auprès du serveur par lequel il envoie, soit le serveur de messagerie " +
					"du domaine[[ {domain}]] ne reconnaît pas ce domaine comme le sien, ce qui arrive quand la " +
					"messagerie d'un domaine est cassée ou abandonnée.[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Indéterminé : soit côté expéditeur (identification manquante), soit côté destinataire (un " +
					"domaine que son serveur n'accepte pas). Savoir quel serveur a refusé permet de trancher.",
				Steps: []string{
					"Demandez à qui gère l'envoi si le serveur qui a refusé[[ ({mta})]] est son propre serveur " +
						"sortant. Si oui, il doit faire s'identifier le programme d'envoi (authentification SMTP) " +
						"avant d'envoyer.",
					"Si c'est le serveur du destinataire, le domaine du destinataire est sans doute mal " +
						"configuré : contactez la personne autrement et prévenez-la.",
					"En attendant, ne renvoyez pas sans cesse ; si d'autres adresses de ce domaine reçoivent " +
						"la même réponse, retirez l'adresse.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a été refusé avec « relais refusé »",
				What: "Un serveur de messagerie a refusé de transmettre votre message. Soit votre logiciel de " +
					"messagerie ne s'est pas identifié pour envoyer, soit le domaine du destinataire n'est pas " +
					"configuré pour recevoir du courrier.",
				Whose: "Pas encore clair : cela peut venir de vous ou du destinataire.",
				Steps: []string{
					"Vérifiez que votre logiciel de messagerie s'identifie pour envoyer (authentification du " +
						"serveur sortant activée) et utilise le port 587.",
					"Si c'est le cas et que vos autres messages partent, l'adresse du destinataire est en " +
						"cause : joignez-le autrement.",
				},
			},
			Admin: texts{
				Headline: "Relais refusé[[ par {mta}]][[ ({code})]] : côté expéditeur ou destinataire indéterminé",
				What: "Un serveur[[ ({mta})]] a refusé de relayer le courrier pour {rcpt}[[ à la commande " +
					"{command}]]. Deux causes opposées donnent cette réponse. Hypothèse 1, côté expéditeur : " +
					"votre propre relais ou smarthost a refusé car le client ne s'est pas authentifié ou n'est " +
					"pas dans ses réseaux de confiance. Hypothèse 2, côté destinataire : le MX du domaine[[ " +
					"{domain}]] ne liste pas ce domaine comme domaine local ou relayé (domaine mort, DNS " +
					"cassé, migration inachevée). Les éléments ne permettent pas de trancher.[[ Diagnostic : « " +
					"{diag} »]]",
				Whose: "Inconnu : côté expéditeur si l'hôte qui refuse est votre propre relais, côté destinataire " +
					"si c'est un MX du domaine.",
				Steps: []string{
					"Départagez : comparez l'hôte qui refuse[[ {mta}]] avec les MX du domaine destinataire[[ " +
						"(`dig +short MX {domain}`)]] et avec votre propre relayhost ou smarthost.",
					"Votre relais (côté expéditeur) : soumettez sur le port 587 avec STARTTLS et SMTP AUTH ; " +
						"sur le relais, autorisez les clients authentifiés (Postfix : `smtpd_relay_restrictions = " +
						"permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination` ; Exim : `accept " +
						"authenticated = *` et `accept hosts = +relay_from_hosts` dans acl_smtp_rcpt).",
					"Toujours côté expéditeur : vérifiez que SASL tourne (auth de Dovecot ou saslauthd de " +
						"Cyrus), et qu'un client censé relayer sans identifiant a son IP dans mynetworks (Postfix) " +
						"ou relay_from_hosts (Exim).",
					"Un MX du domaine (côté destinataire) : cet hôte doit lister le domaine dans " +
						"mydestination, virtual_mailbox_domains ou relay_domains (Postfix), local_domains ou " +
						"relay_to_domains (Exim), ou comme domaine accepté (Exchange) ; sinon les enregistrements " +
						"MX du domaine sont périmés et doivent désigner les bons serveurs.",
					"Ne faites jamais disparaître l'erreur en ouvrant le relais. Si l'hôte qui refuse cite une " +
						"liste de blocage, c'est un blocage et non un problème de relais : corrigez-en la cause, " +
						"puis demandez le retrait (Spamhaus, Barracuda, SpamCop).",
				},
			},
		},
		{Reason: classify.NoRelaying, Side: classify.SideSender}: {
			Marketer: texts{
				Headline: "Refusé : le serveur d'envoi n'a pas été autorisé à transmettre le message",
				What: "Le serveur sortant utilisé pour écrire à {rcpt}[[ ({mta})]] a refusé de transmettre le " +
					"message car l'expéditeur ne s'y est pas identifié[[ (réponse {code})]]. Les serveurs " +
					"sortants ne transmettent que pour les utilisateurs identifiés, ou pour des machines de " +
					"confiance, afin que les spammeurs ne puissent pas s'en servir.[[ Le serveur a répondu : « " +
					"{diag} »]]",
				Whose: "Côté expéditeur : le programme ou le serveur d'envoi doit s'identifier auprès de son " +
					"serveur sortant. Le destinataire et son adresse sont corrects.",
				Steps: []string{
					"Transférez ce rejet à qui gère l'envoi (service informatique, développeur ou support de " +
						"la plateforme).",
					"Il faut que le programme d'envoi s'identifie auprès de son serveur sortant " +
						"(authentification SMTP) sur le port 587 avec une connexion chiffrée (STARTTLS), avec le " +
						"bon identifiant et le bon mot de passe.",
					"Ne retirez pas le destinataire de votre liste : son adresse n'a aucun problème.",
					"Renvoyez dès qu'un message de test passe.",
				},
			},
			EndUser: texts{
				Headline: "Votre message n'est pas parti : votre serveur veut que vous vous identifiiez",
				What: "Votre serveur de courrier sortant a refusé d'envoyer le message car votre logiciel de " +
					"messagerie ne s'y est pas identifié.",
				Whose: "De votre côté : les réglages de votre logiciel de messagerie.",
				Steps: []string{
					"Dans les paramètres du compte de votre logiciel de messagerie, activez l'authentification " +
						"du serveur sortant (SMTP), avec le même identifiant et le même mot de passe que pour la " +
						"réception.",
					"Réglez le port du serveur sortant sur 587 avec STARTTLS, ou utilisez les réglages donnés " +
						"par votre fournisseur.",
					"Renvoyez le message.",
				},
			},
			Admin: texts{
				Headline: "Relais refusé par votre propre relais[[ {mta}]][[ ({code})]] : client non authentifié",
				What: "L'hôte qui refuse[[ {mta}]] est sur le chemin d'envoi, pas un MX du domaine[[ {domain}]] " +
					": il a refusé de relayer pour {rcpt} car le client ne s'est pas authentifié et ne fait " +
					"pas partie de ses réseaux de confiance[[ (à la commande {command})]].[[ Diagnostic : « " +
					"{diag} »]]",
				Whose: "Côté expéditeur : le client qui soumet ou la configuration du relais doit changer.",
				Steps: []string{
					"Soumettez sur le port 587 (submission) avec STARTTLS, puis SMTP AUTH ; ne relayez pas " +
						"sans authentification par le port 25. Beaucoup de serveurs n'offrent AUTH qu'après " +
						"STARTTLS (Postfix : smtpd_tls_auth_only = yes), donc un client qui saute STARTTLS ne voit " +
						"jamais AUTH.",
					"Relais Postfix, main.cf : `smtpd_relay_restrictions = permit_mynetworks, " +
						"permit_sasl_authenticated, reject_unauth_destination` ; master.cf : activez le service " +
						"submission avec `-o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes -o " +
						"smtpd_relay_restrictions=permit_sasl_authenticated,reject` ; puis `postfix reload`.",
					"Un serveur d'application qui relaie par IP sans identifiant : ajoutez exactement son " +
						"adresse à mynetworks (Postfix) ou à relay_from_hosts (Exim, utilisé par `accept hosts = " +
						"+relay_from_hosts` dans acl_smtp_rcpt), jamais une plage que vous ne maîtrisez pas. " +
						"Exchange : un connecteur de réception dédié limité à cette IP, avec la permission " +
						"Ms-Exch-SMTP-Accept-Any-Recipient.",
					"Exim avec identifiants : gardez `accept authenticated = *` dans acl_smtp_rcpt avant le " +
						"contrôle de relais, et laissez auth_advertise_hosts offrir AUTH une fois TLS établi.",
					"Vérifiez que SASL fonctionne : Postfix `smtpd_sasl_type = dovecot` avec `smtpd_sasl_path " +
						"= private/auth` et le service auth de Dovecot qui y écoute (`doveadm auth test " +
						"<utilisateur>`), ou saslauthd de Cyrus en marche (`testsaslauthd -u <utilisateur> -p <mot " +
						"de passe>`). Les mises à jour cassent souvent cela : cherchez \"SASL authentication " +
						"failure\" ou \"warning: SASL\" dans le journal.",
					"Les clients qui comptaient sur POP-before-SMTP perdent le droit de relayer quand leur IP " +
						"change : passez-les à SMTP AUTH.",
					"Si la plateforme envoie par un smarthost (Postfix `relayhost = [smtp.example.net]:587`), " +
						"donnez-lui des identifiants : `smtp_sasl_auth_enable = yes`, `smtp_sasl_password_maps`, " +
						"`smtp_tls_security_level = encrypt`.",
					"N'ouvrez jamais le relais pour faire disparaître l'erreur : un relais ouvert est exploité " +
						"en quelques heures et finit sur les listes de blocage. Si c'est déjà arrivé, fermez-le " +
						"d'abord, puis demandez le retrait (Spamhaus, Barracuda, SpamCop).",
					"Envoyez un test et vérifiez que le journal montre une session authentifiée (Postfix " +
						"journalise sasl_username=) avant de renvoyer.",
				},
			},
		},
		{Reason: classify.NoRelaying, Side: classify.SideRecipient}: {
			Marketer: texts{
				Headline: "Refusé par le serveur du destinataire : la messagerie du domaine est mal configurée",
				What: "Le serveur qui gère le domaine[[ {domain}]][[ ({mta})]] a répondu qu'il ne relaie pas[[ " +
					"(réponse {code})]] : il ne considère pas ce domaine comme l'un des siens. Cela arrive " +
					"quand un domaine est abandonné, ou qu'il a changé de fournisseur de messagerie alors que " +
					"son DNS désigne encore l'ancien. Le message pour {rcpt} a été refusé avant " +
					"distribution.[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Côté destinataire : la configuration de messagerie de son domaine doit être corrigée. " +
					"Votre envoi est correct et rien ne doit changer de votre côté.",
				Steps: []string{
					"Aucun changement n'est nécessaire dans votre configuration d'envoi.",
					"Si ce contact compte, prévenez-le par un autre canal que le courrier vers son domaine[[ " +
						"{domain}]] est refusé, pour que son service informatique corrige les enregistrements de " +
						"messagerie du domaine.",
					"Si cela continue, ou si d'autres expéditeurs reçoivent la même réponse de ce domaine, " +
						"retirez l'adresse de votre liste.",
				},
			},
			EndUser: texts{
				Headline: "Le serveur du destinataire a refusé votre message",
				What: "Le domaine du destinataire n'est pas correctement configuré pour recevoir du courrier, et " +
					"votre message a été refusé.",
				Whose: "Côté destinataire, pas le vôtre.",
				Steps: []string{
					"Contactez la personne autrement (téléphone, autre adresse) et dites-lui que sa messagerie " +
						"ne fonctionne pas.",
					"Renvoyez quand elle confirme que c'est réparé.",
				},
			},
			Admin: texts{
				Headline: "Relais refusé par le MX du destinataire[[ {mta}]][[ ({code})]] : {domain} n'est pas " +
					"accepté comme domaine local",
				What: "L'hôte qui refuse[[ {mta}]] est un MX du domaine[[ {domain}]], ou appartient au même " +
					"fournisseur, et pourtant il traite ce domaine comme étranger et a refusé de relayer le " +
					"courrier pour {rcpt}. Sa configuration ou les MX du domaine sont faux.[[ Diagnostic : « " +
					"{diag} »]]",
				Whose: "Côté destinataire : les enregistrements MX du domaine ou la configuration de son serveur " +
					"de messagerie doivent être corrigés.",
				Steps: []string{
					"Vérifiez où va le courrier du domaine[[ (`dig +short MX {domain}`)]] : les noms des MX " +
						"doivent se résoudre (A ou AAAA) et être les serveurs qui doivent recevoir pour le domaine " +
						"aujourd'hui.",
					"Sur le MX (Postfix), listez le domaine dans une seule classe d'adresses : mydestination " +
						"pour des comptes locaux, virtual_mailbox_domains ou virtual_alias_domains pour des " +
						"utilisateurs virtuels, ou relay_domains (avec une entrée transport_maps) pour transmettre " +
						"à un serveur interne ; `postconf mydestination relay_domains virtual_mailbox_domains` " +
						"affiche les valeurs actuelles ; puis `postfix reload`.",
					"Exim : ajoutez le domaine à domainlist local_domains ou relay_to_domains. Exchange : " +
						"ajoutez-le comme domaine accepté (faisant autorité, ou relais interne).",
					"Après une migration, faites pointer les MX vers le nouveau fournisseur, supprimez les " +
						"anciens et attendez la fin du TTL avant d'éteindre l'ancien serveur ; un MX de secours " +
						"doit lui aussi lister le domaine dans relay_domains.",
					"Si le domaine ne doit plus recevoir de courrier, publiez un MX nul (`0 .`, RFC 7505) pour " +
						"que les expéditeurs échouent vite et clairement.",
					"En tant qu'expéditeur, vous ne pouvez pas corriger : prévenez le destinataire par un " +
						"autre canal, et supprimez l'adresse si le domaine reste cassé.",
				},
			},
		},
		// DESIGN.md « Auto-replies » : réponse d'absence refusée par l'adresse de retour d'une plateforme
		{Reason: classify.NoRelaying, AutoReply: true}: {
			Marketer: texts{
				Headline: "La réponse d'absence du client a été refusée avec « relais refusé » ; sa boîte va bien",
				What: "Le client a reçu un message de la plateforme, et sa réponse automatique (message " +
					"d'absence) y a répondu. La réponse est partie vers {rcpt}, l'adresse d'envoi ou de retour " +
					"de la plateforme. Le serveur de messagerie du domaine[[ {domain}]][[ ({mta})]] ne reçoit " +
					"pas de courrier pour cette adresse et a répondu « relaying denied » (relais refusé)[[ " +
					"({code})]] : en clair, il ne se considère pas comme le bon endroit où la distribuer, il a " +
					"donc refusé la réponse, et l'erreur est revenue au client.[[ Le serveur a répondu : « " +
					"{diag} »]]",
				Whose: "Côté plateforme : son adresse de retour ou no-reply refuse les réponses. La boîte du " +
					"client va bien, et son courrier normal, dans les deux sens, n'est pas touché.",
				Steps: []string{
					"Rassurez le client : sa boîte va bien, le message d'origine lui est parvenu, et cette " +
						"erreur ne concerne que sa réponse automatique.",
					"Il n'a rien à faire. Pour recevoir moins de ces erreurs, il peut régler sa réponse " +
						"automatique pour ne répondre qu'à ses contacts ou à son organisation.",
					"Demandez à l'équipe de la plateforme que l'adresse de retour accepte les réponses (et les " +
						"jette) au lieu de les refuser avec « relais refusé ».",
				},
			},
			EndUser: texts{
				Headline: "Votre réponse d'absence a été refusée ; votre boîte va bien",
				What: "Votre réponse automatique a répondu à une adresse no-reply, et le serveur de cette " +
					"adresse l'a refusée avec « relais refusé ».",
				Whose: "Pas de votre côté : l'adresse no-reply refuse le courrier. Votre boîte fonctionne normalement.",
				Steps: []string{
					"Aucune action nécessaire : vous pouvez ignorer ce message.",
					"Pour l'éviter, réglez votre réponse automatique pour ne répondre qu'à vos contacts.",
				},
			},
			Admin: texts{
				Headline: "Réponse automatique vers {rcpt} refusée pour relais[[ ({code})]] : le domaine de retour " +
					"de la plateforme n'est pas servi par son MX",
				What: "L'original renvoyé est une réponse automatique RFC 3834 de {from} vers {rcpt}. Le serveur " +
					"du domaine[[ {domain}]][[ ({mta})]] a refusé de la relayer : l'hôte désigné par le MX du " +
					"domaine ne le traite ni comme local ni comme relayé, et l'adresse de retour de la " +
					"plateforme ne peut donc pas recevoir de courrier. La boîte et le serveur de l'auteur de " +
					"la réponse vont bien.[[ Diagnostic : « {diag} »]]",
				Whose: "Côté destinataire de ce rejet, c'est-à-dire le domaine de retour de la plateforme ; la " +
					"boîte et le serveur de l'auteur de la réponse vont bien.",
				Steps: []string{
					"Côté auteur de la réponse : rien à corriger ; on peut limiter la réponse automatique aux " +
						"contacts ou à l'organisation.",
					"Plateforme : vérifiez le MX du domaine de retour[[ (`dig +short MX {domain}`)]] ; s'il " +
						"désigne un hôte qui ne sert pas le domaine, corrigez les enregistrements MX.",
					"Plateforme, sur ce MX : listez le domaine dans mydestination, virtual_mailbox_domains ou " +
						"relay_domains (Postfix), local_domains (Exim) ou comme domaine accepté (Exchange) ; puis " +
						"acceptez les réponses à l'adresse de retour et jetez-les (une entrée " +
						"check_recipient_access de Postfix avec l'action DISCARD) ou livrez-les dans une boîte lue " +
						"par quelqu'un.",
					"Plateforme : marquez le courrier sortant pour que les répondeurs l'ignorent : " +
						"`Auto-Submitted: auto-generated` sur les notifications ; `Precedence: bulk`, List-Id et " +
						"List-Unsubscribe sur les campagnes (la RFC 3834, et Sieve vacation, RFC 5230, demandent " +
						"aux répondeurs de ne pas y répondre).",
					"Ne comptez pas cela comme un rejet de {from} : son adresse fonctionne.",
				},
			},
		},
		// RFC 3463 X.2.2 dans un avis de retard : quota dépassé pour l'instant
		{Reason: classify.MailboxFull, Delay: true}: {
			Marketer: texts{
				Headline: "Pas encore distribué : la boîte du destinataire est pleine ; nouvelles tentatives[[ " +
					"jusqu'au {until}]]",
				What: "Ceci est un avertissement de retard, pas un rejet. La boîte de {rcpt} est pleine, le " +
					"serveur d'envoi" +
					"[[ {reporter}]] continue d'essayer[[ jusqu'au {until}]][[ (dernière réponse {code})]].[[ " +
					"Le serveur a répondu : « {diag} »]]",
				Whose: "Côté destinataire : il doit faire de la place dans sa boîte. Rien à changer à l'envoi.",
				Steps: []string{
					"Ne rien faire pour l'instant : le message sera distribué de lui-même si le destinataire " +
						"libère de la place à temps.",
					"Si un rejet définitif suit[[ après le {until}]], traitez l'adresse comme un rejet " +
						"temporaire : réessayez dans quelques jours.",
				},
			},
			EndUser: texts{
				Headline: "Votre message est retardé : la boîte du destinataire est pleine[[ ; nouvelles tentatives " +
					"jusqu'au {until}]]",
				What: "La boîte de {rcpt} est pleine. Votre serveur de messagerie continue d'essayer ; inutile " +
					"de renvoyer le message.",
				Whose: "Côté destinataire : il doit libérer de la place.",
				Steps: []string{
					"Patientez ; si c'est important, prévenez le destinataire par un autre moyen que sa boîte " +
						"est pleine.",
				},
			},
			Admin: texts{
				Headline: "Retardé : boîte pleine pour {rcpt}[[, nouvelles tentatives jusqu'au {until}]][[ ({code})]]",
				What: "Notification de retard RFC 3464 de[[ {reporter}]] : la boîte du destinataire dépasse son " +
					"quota " +
					"(RFC 3463 X.2.2) ; le message reste en file[[ jusqu'au {until}]] (Will-Retry-Until).[[ " +
					"Dernière tentative : « {diag} »]]",
				Whose: "Côté destinataire : le titulaire de la boîte ou son administrateur doit libérer de la " +
					"place ou augmenter le quota.",
				Steps: []string{
					"Laissez le message en file ; ne supprimez pas l'adresse sur une notification de retard.",
					"Si vous gérez le serveur de réception : vérifiez le quota (Dovecot `doveadm quota get -u " +
						"{rcpt}`) et augmentez-le ou faites le ménage.",
				},
			},
		},
		{Delay: true}: { // RFC 3464 2.3.3 action "delayed": un avertissement, pas un échec (issue 8 item 4)
			Marketer: texts{
				Headline: "Pas encore distribué : le serveur d'envoi réessaie toujours[[ jusqu'au {until}]]",
				What: "Ceci est un avertissement de retard, pas un rejet. Le serveur d'envoi[[ {reporter}]] n'a " +
					"pas encore pu " +
					"remettre le message à {rcpt} et continue d'essayer[[ jusqu'au {until}]][[ (dernière " +
					"réponse {code})]].[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Personne n'a à agir pour l'instant : la plupart des retards se résolvent seuls. Un rejet " +
					"ne suivra que si toutes les tentatives échouent.",
				Steps: []string{
					"Ne rien faire pour l'instant : ne supprimez pas l'adresse sur un avertissement de retard.",
					"Si un rejet définitif suit[[ après le {until}]], traitez ce rejet selon sa raison.",
				},
			},
			EndUser: texts{
				Headline: "Votre message est retardé ; la distribution est toujours en cours[[ jusqu'au {until}]]",
				What: "Votre message à {rcpt} n'est pas encore arrivé. Votre serveur de messagerie continue " +
					"d'essayer ; inutile de le renvoyer.",
				Whose: "Rien à faire pour l'instant.",
				Steps: []string{
					"Patientez : vous ne recevrez un autre message que si la distribution échoue définitivement.",
				},
			},
			Admin: texts{
				Headline: "Retardé (action delayed) : toujours en file pour {rcpt}[[, nouvelles tentatives jusqu'au " +
					"{until}]][[ ({code})]]",
				What: "Notification de retard RFC 3464 de[[ {reporter}]] : le message est toujours dans la file " +
					"et la distribution " +
					"est retentée[[ jusqu'au {until}]] (Will-Retry-Until).[[ Dernière tentative : « {diag} »]]",
				Whose: "Pas définitif : la cause de l'échec de la dernière tentative est dans le diagnostic ; " +
					"elle peut disparaître avant la fin des tentatives.",
				Steps: []string{
					"Laissez le message en file ; ne supprimez pas l'adresse sur une notification de retard.",
					"Si la même destination diffère sans cesse, regardez la dernière réponse : limites de " +
						"débit, greylisting ou MX injoignable.",
					"Vérifiez la file à la fin de la période de tentatives[[ ({until})]] : un DSN définitif " +
						"suivra si le message ne passe jamais.",
				},
			},
		},
		{AutoReply: true}: { // tout autre échec d'une réponse automatique renvoyée
			Marketer: texts{
				Headline: "C'est la réponse automatique du client qui a été refusée, pas son courrier",
				What: "Le message rejeté n'a pas été écrit par le client : c'est la réponse automatique (message " +
					"d'absence) que sa boîte a envoyée à l'arrivée d'un message. Elle est partie vers {rcpt}, " +
					"une adresse de retour ou no-reply de la plateforme d'envoi qui n'accepte pas de courrier " +
					"entrant, et la réponse a donc été refusée[[ (réponse {code})]].[[ Le serveur a répondu : " +
					"« {diag} »]]",
				Whose: "Côté plateforme : son adresse de retour refuse les réponses. La boîte du client va bien : " +
					"elle a reçu le message d'origine, et son courrier normal n'est pas touché.",
				Steps: []string{
					"Dites au client qu'il n'a rien à faire : sa boîte fonctionne, et les messages qu'on lui " +
						"envoie sont distribués.",
					"Si ces erreurs le gênent, il peut régler sa réponse automatique pour ne répondre qu'à ses " +
						"contacts ou à son organisation, ou la désactiver à son retour.",
					"La plateforme peut faire cesser ces erreurs en faisant accepter les réponses (puis en les " +
						"jetant) par son adresse de retour au lieu de les refuser.",
				},
			},
			EndUser: texts{
				Headline: "Votre réponse automatique n'a pas pu être distribuée, mais votre boîte va bien",
				What: "Votre message d'absence a répondu à un message automatique, et l'adresse à laquelle il a " +
					"répondu n'accepte pas de courrier.",
				Whose: "Pas de votre côté : cette adresse refuse toutes les réponses. Votre boîte fonctionne.",
				Steps: []string{
					"Rien à faire : vous pouvez ignorer ce message.",
					"Pour l'éviter, réglez votre réponse automatique pour ne répondre qu'à vos contacts.",
				},
			},
			Admin: texts{
				Headline: "Rejet d'une réponse automatique : {rcpt} refuse le courrier[[ ({code})]]",
				What: "L'original renvoyé est une réponse automatique RFC 3834 (répondeur d'absence) de {from}, " +
					"envoyée à {rcpt}, l'adresse de retour ou no-reply d'une plateforme d'envoi ; le serveur[[ " +
					"{mta}]] l'a refusée. La boîte et le serveur de l'auteur de la réponse fonctionnent : le " +
					"courrier normal n'échoue pas.[[ Diagnostic : « {diag} »]]",
				Whose: "Côté plateforme (le côté destinataire de ce rejet) : son adresse de retour refuse les " +
					"réponses. La boîte de l'auteur de la réponse va bien.",
				Steps: []string{
					"Côté auteur de la réponse : rien n'est cassé. On peut restreindre le répondeur (Exchange " +
						"et Microsoft 365 : ne répondre qu'aux expéditeurs de l'organisation ou aux contacts ; " +
						"Sieve vacation : :days limite les réponses par expéditeur).",
					"Plateforme : faites accepter le courrier par l'adresse de retour (un domaine servi par " +
						"son MX, l'adresse connue) et jetez les réponses (une entrée check_recipient_access de " +
						"Postfix avec DISCARD) ou livrez-les dans une boîte lue par quelqu'un.",
					"Plateforme : marquez le courrier sortant pour que les répondeurs l'ignorent : " +
						"`Auto-Submitted: auto-generated` sur les notifications ; `Precedence: bulk`, List-Id et " +
						"List-Unsubscribe sur les campagnes (RFC 3834, et Sieve vacation, RFC 5230).",
					"Ne comptez pas cela comme un rejet de {from} : son adresse fonctionne.",
				},
			},
		},
		{Reason: classify.NotAccept}: {
			Marketer: texts{
				Headline: "Impossible à distribuer : le domaine du destinataire n'accepte aucun courrier",
				What: "Le domaine[[ {domain}]] est configuré pour refuser tout courrier, si bien que le message " +
					"pour {rcpt} n'a pas pu être distribué[[ (réponse {code})]].[[ Le serveur a répondu : « " +
					"{diag} »]]",
				Whose: "Côté destinataire : le domaine ne reçoit aucun courrier.",
				Steps: []string{
					"Retirez l'adresse de votre liste.",
					"Si vous devez joindre la personne, demandez-lui une autre adresse.",
				},
			},
			EndUser: texts{
				Headline: "Cette adresse ne peut pas recevoir de courrier",
				What:     "Le domaine du destinataire n'accepte aucun courrier.",
				Whose:    "Côté destinataire.",
				Steps: []string{
					"Demandez une autre adresse à la personne.",
				},
			},
			Admin: texts{
				Headline: "La destination n'accepte aucun courrier : {domain}[[ ({code})]]",
				What: "Le domaine[[ {domain}]] déclare n'accepter aucun courrier : un MX nul (RFC 7505), ou une " +
					"réponse 521 ou 556[[ de {mta}]].[[ Diagnostic : « {diag} »]]",
				Whose: "Côté destinataire : c'est volontaire ; rien à corriger côté expéditeur.",
				Steps: []string{
					"Confirmez-le[[ avec `dig MX {domain}`]] : `0 .` comme seul MX est un MX nul.",
					"Supprimez l'adresse : c'est un rejet définitif.",
					"Si vous gérez ce domaine et qu'il doit recevoir du courrier, remplacez le MX nul par de " +
						"vrais enregistrements MX.",
				},
			},
		},
		{Reason: classify.NotCompliantRFC}: {
			Marketer: texts{
				Headline: "Refusé : le message ne respecte pas les normes du courrier électronique",
				What: "Le serveur destinataire[[ {mta}]] a refusé le message pour {rcpt} car il ne respecte pas " +
					"les normes du courrier, par exemple un en-tête présent deux fois[[ (réponse {code})]].[[ " +
					"Le serveur a répondu : « {diag} »]]",
				Whose: "Côté expéditeur : le message doit être construit correctement.",
				Steps: []string{
					"Envoyez ce rejet au support de la plateforme ou à votre développeur : c'est le message " +
						"qu'il faut corriger, pas l'adresse.",
					"Renvoyez quand ils confirment la correction.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a été refusé pour une erreur de format",
				What:     "Votre message ne respecte pas les règles de format que le serveur du destinataire applique.",
				Whose:    "De votre côté, ou de celui de votre logiciel de messagerie.",
				Steps: []string{
					"Essayez d'envoyer depuis un autre logiciel de messagerie ou depuis le webmail.",
					"Si l'échec se répète, transférez ce message à votre service informatique.",
				},
			},
			Admin: texts{
				Headline: "Violation de la RFC 5322 rejetée par le serveur destinataire[[ {mta}]][[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] a rejeté le message pour {rcpt} comme non conforme : en " +
					"général un en-tête unique présent deux fois (From, Subject, Date, Message-ID, To), un " +
					"Date ou un From manquant, ou des LF nus ou des octets 8 bits là où ils sont interdits.[[ " +
					"Diagnostic : « {diag} »]]",
				Whose: "Côté expéditeur : le générateur du message doit respecter la RFC 5322.",
				Steps: []string{
					"Examinez le message brut tel qu'envoyé : From, Sender, To, Cc, Subject, Date et " +
						"Message-ID au plus une fois chacun ; Date et From présents.",
					"Vérifiez les fins de ligne (CRLF), des lignes de moins de 998 caractères, et du contenu 8 " +
						"bits seulement avec 8BITMIME ou SMTPUTF8.",
					"Corrigez le code ou le modèle qui ajoute l'en-tête en double, puis renvoyez.",
				},
			},
		},
		{Reason: classify.OnHold}: {
			Marketer: texts{
				Headline: "Indéterminé : pas encore assez d'informations",
				What: "Le rapport pour {rcpt} ne dit pas encore clairement pourquoi le message n'a pas été " +
					"distribué[[ (réponse {code})]].[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Inconnu pour l'instant.",
				Steps: []string{
					"Attendez la prochaine tentative ou le prochain rejet pour cette adresse avant d'agir.",
					"Ne retirez pas l'adresse sur ce seul rejet.",
				},
			},
			EndUser: texts{
				Headline: "État de distribution incertain",
				What:     "On ne sait pas encore si votre message a été distribué.",
				Whose:    "Pas encore connu.",
				Steps: []string{
					"Patientez un peu ; si vous recevez une autre erreur, c'est elle qu'il faudra traiter.",
				},
			},
			Admin: texts{
				Headline: "Trop peu d'éléments pour classer le rejet pour {rcpt}",
				What: "Le rejet contient trop peu d'éléments (état, code de réponse, diagnostic) pour être " +
					"classé[[ ; état {status}]].[[ Diagnostic : « {diag} »]]",
				Whose: "Inconnu : aucun côté ne peut encore être désigné.",
				Steps: []string{
					"Lisez le rejet complet et le journal de messagerie pour cet identifiant de file afin de " +
						"trouver l'erreur réelle.",
					"Gardez l'adresse ; décidez au prochain rejet ou à la prochaine tentative.",
				},
			},
		},
		{Reason: classify.PolicyViolation}: {
			Marketer: texts{
				Headline: "Refusé par la politique du destinataire",
				What: "Le serveur destinataire[[ {mta}]] a refusé le message pour {rcpt} car il enfreint une " +
					"règle de l'organisation destinataire, comme un type de pièce jointe interdit ou un " +
					"contenu non autorisé[[ (réponse {code})]].[[ Le serveur a répondu : « {diag} »]]",
				Whose: "C'est à l'expéditeur d'adapter le message ; la règle appartient au destinataire.",
				Steps: []string{
					"Cherchez dans la réponse du serveur la règle enfreinte.",
					"Retirez la pièce jointe ou le contenu en cause (un lien plutôt qu'un fichier, par " +
						"exemple), puis renvoyez.",
					"Si le contact attend ce contenu, demandez-lui de le faire autoriser.",
				},
			},
			EndUser: texts{
				Headline: "Votre message enfreint une règle de l'organisation du destinataire",
				What: "Le serveur du destinataire n'autorise pas quelque chose dans votre message, souvent une " +
					"pièce jointe.",
				Whose: "De votre côté : modifiez le message.",
				Steps: []string{
					"Renvoyez-le sans la pièce jointe, ou avec un lien à la place.",
					"En cas de doute, demandez au destinataire ce que son organisation autorise.",
				},
			},
			Admin: texts{
				Headline: "Rejet par politique sur le serveur destinataire[[ {mta}]][[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] a refusé le courrier pour {rcpt} en vertu d'une " +
					"politique locale (types de pièces jointes, règles de contenu, restrictions d'expéditeurs) " +
					"plutôt que pour une panne technique.[[ Diagnostic : « {diag} »]]",
				Whose: "Côté expéditeur : adaptez le message ; la politique appartient au destinataire.",
				Steps: []string{
					"Identifiez la règle d'après le diagnostic : une extension bloquée (.exe, .js, .iso, " +
						"documents à macros, archives chiffrées) ou une restriction sur les expéditeurs externes.",
					"Faites passer le contenu autrement (un lien de téléchargement) ou dans un format autorisé.",
					"Si la politique est inadaptée à ce trafic, demandez une exception à l'administrateur " +
						"(postmaster) du domaine[[ {domain}]], en donnant l'heure et le Message-ID.",
				},
			},
		},
		{Reason: classify.RateLimited}: {
			Marketer: texts{
				Headline: "Retenu : trop de courrier envoyé trop vite",
				What: "Le serveur destinataire[[ {mta}]] a demandé à l'expéditeur de ralentir : trop de messages " +
					"ou de connexions lui sont arrivés en peu de temps[[ (réponse {code})]].[[ Le serveur a " +
					"répondu : « {diag} »]]",
				Whose: "Côté expéditeur : envoyez plus lentement vers ce fournisseur.",
				Steps: []string{
					"Aucun changement de liste n'est nécessaire ; l'adresse est correcte.",
					"Étalez les gros envois sur une durée plus longue, surtout vers un même fournisseur de messagerie.",
					"La plateforme réessaie normalement ; si ce rejet est définitif, renvoyez plus tard.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a été retenu car trop de messages ont été envoyés",
				What:     "Le serveur du destinataire limite la quantité de courrier qu'il accepte d'un coup.",
				Whose:    "De votre côté : envoyez moins de messages à la fois.",
				Steps: []string{
					"Attendez une heure environ et renvoyez.",
					"Envoyez les gros envois par petits lots.",
				},
			},
			Admin: texts{
				Headline: "Débit limité par le serveur destinataire[[ {mta}]][[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] a ralenti le courrier pour {rcpt} : trop de messages, " +
					"de destinataires ou de connexions par période depuis votre IP ou votre domaine.[[ " +
					"Diagnostic : « {diag} »]]",
				Whose: "Côté expéditeur : le débit et la concurrence d'envoi doivent baisser.",
				Steps: []string{
					"Réduisez la concurrence et le débit vers cette destination (Postfix : un transport dédié " +
						"avec `<transport>_destination_concurrency_limit = 2` et " +
						"`<transport>_destination_rate_delay = 1s` ; Exim : baissez remote_max_parallel et " +
						"connection_max_messages du transport smtp).",
					"Respectez les réponses 4xx : réessayez avec un délai croissant au lieu de vous " +
						"reconnecter aussitôt.",
					"Montez en charge progressivement sur les nouvelles IP et gardez bas les taux de plaintes " +
						"et de rejets ; les fournisseurs fixent ces limites selon la réputation.",
					"Si la limite est sur votre propre serveur de soumission (un quota d'envoi par " +
						"utilisateur), ne la relevez que pour les comptes censés envoyer en masse.",
				},
			},
		},
		{Reason: classify.Rejected}: {
			Marketer: texts{
				Headline: "Refusé à cause de l'adresse de l'expéditeur",
				What: "Le serveur destinataire[[ {mta}]] a refusé le message pour {rcpt} à cause de l'adresse " +
					"d'envoi (adresse d'expéditeur ou de retour) ou de son domaine[[ (réponse {code})]].[[ Le " +
					"serveur a répondu : « {diag} »]]",
				Whose: "Côté expéditeur : l'adresse d'envoi doit être valide et pouvoir recevoir des réponses.",
				Steps: []string{
					"Envoyez depuis une adresse de votre propre domaine vérifié, pas depuis une adresse de " +
						"webmail gratuit (gmail.com, yahoo.com...), quand vous passez par une plateforme.",
					"Vérifiez que l'adresse d'envoi existe et peut recevoir du courrier.",
					"Renvoyez après avoir corrigé l'adresse d'envoi ; le destinataire n'est pas en cause.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a été refusé à cause de votre adresse d'expéditeur",
				What:     "Le serveur du destinataire n'a pas accepté l'adresse depuis laquelle vous avez écrit.",
				Whose:    "De votre côté.",
				Steps: []string{
					"Vérifiez que votre adresse d'expéditeur est correctement saisie et fonctionne.",
					"Si c'est le cas, transférez ce message à votre fournisseur de messagerie.",
				},
			},
			Admin: texts{
				Headline: "Expéditeur d'enveloppe rejeté par le serveur destinataire[[ {mta}]][[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] a refusé le MAIL FROM (ou le From d'en-tête) utilisé " +
					"pour {rcpt} : son domaine ne se résout pas, l'adresse a échoué à une vérification par " +
					"rappel (callout), ou le destinataire bloque cet expéditeur.[[ Diagnostic : « {diag} »]]",
				Whose: "Côté expéditeur : l'expéditeur d'enveloppe doit être une adresse réelle, résoluble et " +
					"joignable.",
				Steps: []string{
					"Vérifiez que le domaine de l'expéditeur d'enveloppe a des enregistrements MX ou A et que " +
						"l'adresse accepte le courrier : les destinataires qui font des rappels (Postfix " +
						"reject_unverified_sender, Exim verify = sender/callout) se reconnectent et essaient RCPT " +
						"TO sur elle.",
					"N'envoyez pas avec un From dans un domaine dont la politique DMARC interdit vos serveurs " +
						"(une adresse de webmail gratuit via une plateforme tierce, par exemple) ; utilisez votre " +
						"propre domaine.",
					"Faites du chemin de retour une vraie boîte de rejets : un MAIL FROM mal formé, ou une " +
						"adresse de rejets qui refuse le courrier, mènent aussi ici.",
					"Renvoyez après correction.",
				},
			},
		},
		{Reason: classify.RequirePTR}: {
			Marketer: texts{
				Headline: "Refusé : le serveur d'envoi n'a pas de nom DNS correct",
				What: "Le serveur destinataire[[ {mta}]] a refusé le courrier pour {rcpt} car l'adresse IP du " +
					"serveur d'envoi n'a pas de nom DNS inverse valide[[ (réponse {code})]].[[ Le serveur a " +
					"répondu : « {diag} »]]",
				Whose: "Côté expéditeur : le DNS du serveur d'envoi doit être corrigé.",
				Steps: []string{
					"Transmettez ceci à qui gère le serveur d'envoi, ou au support de la plateforme.",
					"Renvoyez quand ils confirment la correction ; l'adresse est correcte.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a été refusé à cause de la configuration de votre serveur",
				What:     "Le serveur du destinataire exige un réglage qui manque à votre serveur de messagerie.",
				Whose:    "De votre côté : votre fournisseur de messagerie ou votre service informatique.",
				Steps: []string{
					"Transférez ce message à votre service informatique ou à votre fournisseur de messagerie.",
					"Réessayez quand ils ont corrigé.",
				},
			},
			Admin: texts{
				Headline: "PTR absent ou incohérent pour l'IP d'envoi[[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] exige un DNS inverse confirmé pour le courrier vers " +
					"{rcpt} : le PTR de l'IP d'envoi doit exister, et son nom doit se résoudre vers la même " +
					"IP.[[ Diagnostic : « {diag} »]]",
				Whose: "Côté expéditeur : le DNS inverse de l'IP d'envoi.",
				Steps: []string{
					"Vérifiez : `dig -x <IP d'envoi> +short` renvoie un nom, et `dig +short <ce nom>` renvoie " +
						"la même IP (A pour IPv4, AAAA pour IPv6).",
					"Réglez le PTR auprès du détenteur du bloc d'adresses (console de l'hébergeur ou du cloud, " +
						"ou votre FAI) ; les noms génériques comme 192-0-2-1.dsl.example.net sont souvent refusés " +
						"aussi, utilisez donc le nom de votre hôte de messagerie.",
					"Donnez au nom HELO/EHLO (Postfix myhostname, Exim primary_hostname) le même nom complet " +
						"que le PTR.",
					"En IPv6, réglez aussi le PTR IPv6, ou envoyez en IPv4 ; Gmail l'exige pour les deux.",
				},
			},
		},
		{Reason: classify.SecurityError}: {
			Marketer: texts{
				Headline: "Refusé : une exigence de sécurité n'a pas été remplie",
				What: "Le serveur[[ {mta}]] a refusé le message pour {rcpt} car une exigence de sécurité a " +
					"échoué : identification absente ou erronée, ou connexion pas assez sécurisée[[ (réponse " +
					"{code})]].[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Côté expéditeur : les réglages d'identification ou de chiffrement de l'envoi doivent être " +
					"corrigés.",
				Steps: []string{
					"Transférez ce rejet à qui gère l'envoi.",
					"Il doit vérifier l'identifiant, le mot de passe et les réglages de chiffrement utilisés " +
						"pour envoyer.",
					"Renvoyez dès qu'un test passe ; l'adresse est correcte.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a été refusé : problème d'identification ou de sécurité",
				What: "Votre serveur de messagerie veut que vous vous identifiiez de façon sécurisée avant " +
					"d'envoyer.",
				Whose: "De votre côté : les réglages de votre logiciel de messagerie.",
				Steps: []string{
					"Vérifiez les réglages du serveur sortant dans votre logiciel : authentification activée, " +
						"bon mot de passe, port 587 avec STARTTLS (ou 465 avec SSL/TLS).",
					"Si votre mot de passe a changé récemment, mettez-le à jour dans votre logiciel de messagerie.",
					"Renvoyez le message.",
				},
			},
			Admin: texts{
				Headline: "Exigence d'authentification ou de TLS non remplie sur le serveur[[ {mta}]][[ ({code})]]",
				What: "Le serveur[[ {mta}]] a refusé le courrier pour {rcpt} sur une exigence de sécurité : AUTH " +
					"requis (530 5.7.0), identifiants refusés (535 5.7.8), ou chiffrement exigé d'abord (530 " +
					"Must issue a STARTTLS command first).[[ Diagnostic : « {diag} »]]",
				Whose: "Côté expéditeur : les identifiants ou les réglages TLS du client.",
				Steps: []string{
					"Soumettez sur 587 avec STARTTLS (ou 465 en TLS implicite) et authentifiez-vous ; vérifiez " +
						"les mécanismes offerts après STARTTLS (`openssl s_client -starttls smtp -connect " +
						"<hôte>:587`, puis EHLO).",
					"535 : testez les identifiants auprès du service d'authentification (`doveadm auth test " +
						"<utilisateur>`, `testsaslauthd -u <utilisateur> -p <mot de passe>`) ; Gmail et Microsoft " +
						"365 demandent des mots de passe d'application ou OAuth2 plutôt que le mot de passe du " +
						"compte.",
					"Relais par un fournisseur : Postfix `smtp_sasl_auth_enable = yes`, " +
						"`smtp_sasl_password_maps` avec une entrée pour le relayhost (puis `postmap` sur le " +
						"fichier), et `smtp_tls_security_level = encrypt`.",
				},
			},
		},
		{Reason: classify.SpamDetected}: {
			Marketer: texts{
				Headline: "Refusé comme spam",
				What: "Le serveur destinataire[[ {mta}]] a jugé que le message pour {rcpt} était du spam et l'a " +
					"refusé[[ (réponse {code})]].[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Côté expéditeur : le contenu ou la façon d'envoyer ressemblait à du spam.",
				Steps: []string{
					"Revoyez le message : un sujet clair, votre marque visible, un équilibre entre texte et " +
						"images, pas de raccourcisseur de liens, un lien de désinscription visible.",
					"N'envoyez qu'aux personnes qui l'ont demandé, et retirez les adresses inactives depuis longtemps.",
					"Renvoyez plus tard un message revu ; ne renvoyez pas tout de suite le même.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a été pris pour du spam",
				What:     "Le filtre du destinataire a cru que votre message était du spam.",
				Whose:    "De votre côté : modifiez le message.",
				Steps: []string{
					"Réécrivez le message plus simplement, avec moins de liens et sans pièce jointe, puis renvoyez-le.",
					"Ou contactez le destinataire autrement et demandez-lui d'autoriser votre adresse.",
				},
			},
			Admin: texts{
				Headline: "Contenu jugé comme spam par le serveur destinataire[[ {mta}]][[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] a rejeté le courrier pour {rcpt} sur un score de spam " +
					"(contenu, URL ou réputation de l'expéditeur).[[ Diagnostic : « {diag} »]]",
				Whose: "Côté expéditeur : contenu, liens et réputation d'envoi.",
				Steps: []string{
					"Passez le message dans un analyseur de contenu (SpamAssassin : `spamassassin -t < " +
						"message.eml`) pour voir quelles règles se déclenchent.",
					"Vérifiez chaque domaine lié dans le message dans les listes d'URI (Spamhaus DBL, SURBL, " +
						"URIBL) : un seul lien listé peut couler un message.",
					"Vérifiez que SPF, DKIM et DMARC passent et sont alignés, et que List-Unsubscribe en un " +
						"clic est présent.",
					"Consultez les données de plaintes et d'engagement (Google Postmaster Tools, Microsoft " +
						"SNDS) avant de renvoyer.",
				},
			},
		},
		{Reason: classify.Suppressed}: {
			Marketer: texts{
				Headline: "Non envoyé : l'adresse est sur la liste de suppression",
				What: "La plateforme n'a pas écrit à {rcpt} car l'adresse est sur sa liste de suppression, après " +
					"un rejet définitif, une plainte ou une désinscription.",
				Whose: "Personne n'a rien à faire, sauf si la personne demande à recevoir de nouveau du courrier.",
				Steps: []string{
					"Laissez l'adresse supprimée.",
					"Ne la sortez de la liste de suppression que si la personne confirme vouloir vos messages " +
						"et que l'adresse fonctionne.",
				},
			},
			EndUser: texts{
				Headline: "Votre message n'a pas été envoyé à cette adresse",
				What: "Cette adresse est bloquée côté envoi car elle a déjà échoué ou a demandé à ne plus " +
					"recevoir de courrier.",
				Whose: "Personne n'est en faute : c'est un blocage de protection.",
				Steps: []string{
					"Vérifiez l'adresse, ou demandez-en une à jour à la personne.",
				},
			},
			Admin: texts{
				Headline: "Destinataire supprimé par la plateforme d'envoi",
				What: "Aucune distribution n'a été tentée pour {rcpt} : l'adresse est sur la liste de " +
					"suppression de l'expéditeur (rejet définitif, plainte ou désinscription antérieurs)[[ ; " +
					"rapport émis par {reporter}]].",
				Whose: "Aucun côté : une protection de la plateforme d'envoi.",
				Steps: []string{
					"Cherchez pourquoi et quand l'adresse a été supprimée.",
					"Ne la retirez qu'avec la preuve que l'adresse fonctionne et que la personne a consenti : " +
						"réécrire à des adresses rejetées ou plaignantes nuit à la réputation.",
				},
			},
		},
		{Reason: classify.Suspend}: {
			Marketer: texts{
				Headline: "Impossible à distribuer : le compte du destinataire est désactivé",
				What: "La boîte de {rcpt} existe mais a été désactivée ou suspendue, et ne reçoit pas de " +
					"courrier[[ (réponse {code})]].[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Côté destinataire.",
				Steps: []string{
					"Cessez d'écrire à cette adresse pour l'instant : il s'agit souvent d'un compte fermé ou impayé.",
					"Si les rejets continuent, retirez-la de votre liste.",
				},
			},
			EndUser: texts{
				Headline: "Le compte du destinataire est désactivé",
				What:     "La boîte du destinataire est désactivée.",
				Whose:    "Côté destinataire.",
				Steps: []string{
					"Contactez la personne autrement et demandez-lui une adresse qui fonctionne.",
				},
			},
			Admin: texts{
				Headline: "Boîte désactivée : {rcpt}[[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] indique que le compte {rcpt} est désactivé, suspendu ou " +
					"inactif.[[ Diagnostic : « {diag} »]]",
				Whose: "Côté destinataire : le titulaire ou le fournisseur doit réactiver le compte.",
				Steps: []string{
					"Traitez-le comme définitif pour l'instant, et supprimez l'adresse après un nouveau rejet.",
					"Si vous gérez ce domaine : vérifiez l'état du compte dans l'annuaire (désactivé, " +
						"verrouillé, licence retirée).",
				},
			},
		},
		{Reason: classify.SyntaxError}: {
			Marketer: texts{
				Headline: "Refusé : le serveur d'envoi a envoyé une commande invalide",
				What: "Le serveur destinataire[[ {mta}]] n'a pas compris une commande du serveur d'envoi pendant " +
					"la distribution pour {rcpt}[[ (réponse {code})]].[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Côté expéditeur : un défaut technique du logiciel d'envoi.",
				Steps: []string{
					"Transférez ce rejet au support de la plateforme ou à votre service informatique.",
					"Renvoyez après leur correction ; l'adresse est correcte.",
				},
			},
			EndUser: texts{
				Headline: "Votre message a échoué à cause d'une erreur technique à l'envoi",
				What: "Votre serveur de messagerie a envoyé quelque chose que le serveur du destinataire n'a pas " +
					"compris.",
				Whose: "De votre côté : votre fournisseur de messagerie.",
				Steps: []string{
					"Transférez ce message à votre service informatique ou à votre fournisseur de messagerie.",
				},
			},
			Admin: texts{
				Headline: "Erreur de syntaxe SMTP signalée par le serveur destinataire[[ {mta}]][[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] a répondu à une commande[[ ({command})]] par une erreur " +
					"de syntaxe ou de séquence (500 à 504) pendant l'envoi du courrier pour {rcpt}.[[ " +
					"Diagnostic : « {diag} »]]",
				Whose: "Côté expéditeur : les commandes ou paramètres du client SMTP.",
				Steps: []string{
					"Examinez la commande concernée : adresse mal formée dans MAIL FROM ou RCPT TO (chevrons " +
						"manquants, espaces, non-ASCII sans SMTPUTF8), paramètre d'extension que le serveur " +
						"n'offre pas, ou commandes dans le désordre (503).",
					"Capturez une session (Postfix : `debug_peer_list = <hôte mx>` ; ou swaks) et comparez-la " +
						"à la RFC 5321.",
					"Corrigez le client ou les données d'adresse, puis renvoyez.",
				},
			},
		},
		{Reason: classify.SystemError}: {
			Marketer: texts{
				Headline: "Non distribué : le serveur du destinataire a eu une panne",
				What: "Le serveur de {rcpt} a eu une erreur interne et n'a pas pu prendre le message[[ (réponse " +
					"{code})]].[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Côté destinataire : son serveur de messagerie a un problème technique.",
				Steps: []string{
					"Renvoyez plus tard.",
					"Si cela dure plusieurs jours, prévenez le contact.",
				},
			},
			EndUser: texts{
				Headline: "Le serveur du destinataire a eu un problème technique",
				What:     "Quelque chose a échoué sur le serveur de messagerie du destinataire.",
				Whose:    "Côté destinataire.",
				Steps: []string{
					"Réessayez plus tard.",
				},
			},
			Admin: texts{
				Headline: "Erreur système distante[[ sur {mta}]][[ ({code})]]",
				What: "Le système destinataire[[ {mta}]] a échoué en interne en traitant le courrier pour {rcpt} " +
					"(stockage, base de données, annuaire, boucle de courrier ou configuration).[[ Diagnostic " +
					": « {diag} »]]",
				Whose: "Côté destinataire : le système de réception doit être réparé.",
				Steps: []string{
					"Si l'erreur est temporaire (4xx), laissez la file réessayer.",
					"Une boucle de courrier (5.4.6, « too many hops ») signifie que le routage du domaine lui " +
						"renvoie son propre courrier : prévenez l'administrateur (postmaster) du domaine[[ " +
						"{domain}]].",
					"Signalez les échecs persistants à l'administrateur (postmaster) du domaine[[ {domain}]] " +
						"avec l'heure et le diagnostic.",
				},
			},
		},
		{Reason: classify.SystemFull}: {
			Marketer: texts{
				Headline: "Non distribué : le serveur du destinataire manque d'espace",
				What: "Le serveur de {rcpt} n'a plus d'espace disque et n'a pas pu stocker le message[[ (réponse " +
					"{code})]].[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Côté destinataire.",
				Steps: []string{
					"Renvoyez plus tard ; c'est en général vite réparé.",
					"Si cela dure plusieurs jours, prévenez le contact.",
				},
			},
			EndUser: texts{
				Headline: "Le serveur du destinataire est plein",
				What:     "Le serveur du destinataire n'a plus de place pour les messages en ce moment.",
				Whose:    "Côté destinataire.",
				Steps: []string{
					"Réessayez plus tard.",
				},
			},
			Admin: texts{
				Headline: "Stockage système insuffisant[[ sur {mta}]][[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] a signalé un stockage système insuffisant (452 4.3.1 ou " +
					"équivalent) pour {rcpt} : le disque ou la file du serveur est plein, pas le quota de " +
					"l'utilisateur.[[ Diagnostic : « {diag} »]]",
				Whose: "Côté destinataire : le stockage du serveur de réception.",
				Steps: []string{
					"Laissez la file réessayer : c'est temporaire.",
					"Si vous gérez ce domaine : libérez de la place sur les volumes de file et de boîtes (`df " +
						"-h` ; Postfix queue_minfree), et cherchez une file qui s'emballe.",
					"Si cela persiste, prévenez l'administrateur (postmaster) du domaine[[ {domain}]].",
				},
			},
		},
		{Reason: classify.Undefined}: {
			Marketer: texts{
				Headline: "Non distribué : la raison n'a pas pu être déterminée",
				What: "Le message pour {rcpt} n'a pas été distribué, et le rejet n'en donne pas la raison sous " +
					"une forme reconnue[[ (réponse {code})]].[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Inconnu.",
				Steps: []string{
					"Lisez la réponse du serveur ci-dessus : elle peut en dire plus que les codes.",
					"Gardez l'adresse pour l'instant et surveillez les prochains envois.",
				},
			},
			EndUser: texts{
				Headline: "Votre message n'a pas été distribué",
				What:     "La raison ne ressort pas clairement du message d'erreur.",
				Whose:    "Inconnu.",
				Steps: []string{
					"Réessayez plus tard ; en cas de nouvel échec, transférez ce message à votre service informatique.",
				},
			},
			Admin: texts{
				Headline: "Échec non classé pour {rcpt}[[ ({code})]]",
				What: "Aucune règle ne correspond à ce rejet[[ ; état {status}]][[ ; hôte distant {mta}]].[[ " +
					"Diagnostic : « {diag} »]]",
				Whose: "Inconnu : les éléments ne désignent aucun côté.",
				Steps: []string{
					"Lisez le rejet complet et le journal d'envoi pour cet identifiant de file.",
					"Si le texte est une erreur reconnaissable, signalez l'exemple pour qu'une règle soit ajoutée.",
					"Ne supprimez pas l'adresse sur ce seul rejet.",
				},
			},
		},
		{Reason: classify.UserUnknown}: {
			Marketer: texts{
				Headline: "Impossible à distribuer : l'adresse n'existe pas",
				What: "Le serveur du domaine[[ {domain}]] indique qu'il n'existe pas de boîte {rcpt}[[ (réponse " +
					"{code})]]. L'adresse est peut-être mal saisie, ou la personne est partie.[[ Le serveur a " +
					"répondu : « {diag} »]]",
				Whose: "Côté destinataire : l'adresse est invalide ; l'envoi est correct.",
				Steps: []string{
					"Retirez l'adresse de votre liste : écrire à des adresses qui n'existent pas nuit à votre " +
						"réputation.",
					"S'il s'agit d'une faute de frappe que la personne peut confirmer, corrigez-la.",
				},
			},
			EndUser: texts{
				Headline: "L'adresse n'existe pas",
				What:     "Il n'existe pas de boîte {rcpt}.",
				Whose:    "L'adresse est fausse ou n'existe plus.",
				Steps: []string{
					"Vérifiez l'orthographe de l'adresse et renvoyez.",
					"Si elle est correcte, demandez à la personne son adresse actuelle.",
				},
			},
			Admin: texts{
				Headline: "Utilisateur inconnu : {rcpt}[[ ({code})]]",
				What: "Le serveur destinataire[[ {mta}]] a rejeté {rcpt} comme une boîte inexistante " +
					"(typiquement 550 5.1.1)[[ à la commande {command}]].[[ Diagnostic : « {diag} »]]",
				Whose: "Côté destinataire : cette boîte n'existe pas.",
				Steps: []string{
					"Supprimez l'adresse : c'est un rejet définitif, et les envois répétés à des utilisateurs " +
						"inconnus nuisent à la réputation de l'expéditeur.",
					"Si de nombreuses adresses du domaine[[ {domain}]] échouent en même temps, soupçonnez le " +
						"serveur du destinataire (annuaire en panne ou migration) avant de toutes les supprimer.",
					"Si vous gérez ce domaine : vérifiez que l'utilisateur existe dans la table que consulte " +
						"le MTA (Postfix : `postmap -q <adresse> <table>` pour virtual_mailbox_maps ou " +
						"local_recipient_maps).",
				},
			},
		},
		{Reason: classify.UserUnknown, Side: classify.SideUnknown}: {
			Marketer: texts{
				Headline: "Refusé comme adresse inconnue, mais le serveur du destinataire est peut-être en cause",
				What: "Le serveur du domaine[[ {domain}]] indique qu'il n'existe pas de boîte {rcpt}[[ (réponse " +
					"{code})]]. Les éléments ne disent pas si l'adresse a vraiment disparu, ou si le serveur " +
					"du domaine rejette des adresses qu'il devrait connaître, comme lors d'un changement de " +
					"fournisseur.[[ Le serveur a répondu : « {diag} »]]",
				Whose: "Indéterminé, mais très probablement côté destinataire dans les deux cas.",
				Steps: []string{
					"Vérifiez si d'autres adresses du même domaine ont été rejetées de la même façon récemment.",
					"Si c'est la seule, retirez-la de votre liste.",
					"Si beaucoup l'ont été, suspendez les envois vers ce domaine et prévenez un contact sur " +
						"place que son serveur rejette ses propres adresses.",
				},
			},
			EndUser: texts{
				Headline: "L'adresse n'existe peut-être pas",
				What: "Le serveur du destinataire dit que cette adresse n'existe pas, mais il peut s'agir d'une " +
					"panne passagère de son côté.",
				Whose: "Probablement côté destinataire.",
				Steps: []string{
					"Vérifiez l'orthographe et renvoyez.",
					"En cas de nouvel échec, demandez à la personne son adresse actuelle.",
				},
			},
			Admin: texts{
				Headline: "Utilisateur inconnu {rcpt}[[ ({code})]], serveur peut-être mal configuré",
				What: "Le serveur destinataire[[ {mta}]] a rejeté {rcpt} comme inconnu, mais les éléments " +
					"(historique du domaine, hôte qui a répondu) ne confirment pas que la boîte a disparu : " +
					"une migration ou un annuaire en panne répondent aussi 550 5.1.1 pour des utilisateurs " +
					"valides.[[ Diagnostic : « {diag} »]]",
				Whose: "Inconnu : la boîte ou le serveur du destinataire ; pas l'expéditeur.",
				Steps: []string{
					"Comparez l'hôte qui a répondu au MX actuel[[ (`dig +short MX {domain}`)]] : un hôte qui " +
						"n'est plus MX signale un DNS périmé ou une migration inachevée.",
					"Comptez les rejets « utilisateur inconnu » récents pour ce domaine : beaucoup " +
						"d'utilisateurs distincts à la fois désignent le serveur, pas les utilisateurs.",
					"Ne supprimez que les adresses qui échouent encore alors que le reste du domaine accepte " +
						"le courrier.",
				},
			},
		},
		{Reason: classify.Vacation}: {
			Marketer: texts{
				Headline: "Réponse automatique : le destinataire est absent",
				What: "Ce n'est pas un rejet : le destinataire[[ {rcpt}]] a activé une réponse automatique " +
					"(message d'absence), qui a répondu au message. Le message lui-même a bien été distribué.",
				Whose: "Personne n'a rien à faire.",
				Steps: []string{
					"Gardez l'adresse ; ne comptez pas cela comme un rejet.",
					"Si la réponse indique une date de retour ou un autre contact, transmettez-les si c'est utile.",
				},
			},
			EndUser: texts{
				Headline: "Le destinataire est absent (réponse automatique)",
				What:     "Votre message est arrivé ; ceci est une réponse automatique d'absence.",
				Whose:    "Rien à faire.",
				Steps: []string{
					"Aucune action nécessaire ; lisez la réponse pour une date de retour ou un autre contact.",
				},
			},
			Admin: texts{
				Headline: "Réponse automatique RFC 3834 de {rcpt}",
				What: "Une réponse automatique (Auto-Submitted: auto-replied, ou un sujet de répondeur), pas un " +
					"échec de distribution. L'original a été distribué.",
				Whose: "Aucun côté : rien n'a échoué.",
				Steps: []string{
					"Ne la traitez pas comme un rejet et ne supprimez pas l'adresse.",
					"Pour en recevoir moins, envoyez le courrier de masse avec `Precedence: bulk`, List-Id et " +
						"List-Unsubscribe, et les avis automatiques avec `Auto-Submitted: auto-generated` ; les " +
						"répondeurs conformes à la RFC 3834 ou à Sieve vacation (RFC 5230) les ignorent.",
					"Dirigez les réponses vers une boîte qui les accepte (ou qui les accepte et les jette) " +
						"plutôt que vers une adresse de retour qui refuse le courrier.",
				},
			},
		},
		{Reason: classify.VirusDetected}: {
			Marketer: texts{
				Headline: "Refusé : un antivirus a signalé le message",
				What: "Le serveur destinataire[[ {mta}]] a analysé le message pour {rcpt} et y a signalé un " +
					"logiciel malveillant, généralement dans une pièce jointe[[ (réponse {code})]].[[ Le " +
					"serveur a répondu : « {diag} »]]",
				Whose: "Côté expéditeur : le message et ses pièces jointes doivent être vérifiés.",
				Steps: []string{
					"Ne renvoyez pas le message tel quel.",
					"Analysez les pièces jointes avec un antivirus à jour, et partagez plutôt les fichiers par " +
						"des liens vers un stockage de confiance.",
					"Si vous avez utilisé un document à macros, enregistrez-le sans (en PDF, par exemple).",
				},
			},
			EndUser: texts{
				Headline: "Votre message a été refusé : un virus a été détecté",
				What: "L'antivirus du destinataire a trouvé quelque chose de dangereux dans votre message, sans " +
					"doute une pièce jointe.",
				Whose: "De votre côté.",
				Steps: []string{
					"Analysez votre ordinateur et la pièce jointe avec un antivirus à jour.",
					"Renvoyez le message sans la pièce jointe, ou envoyez plutôt un PDF.",
				},
			},
			Admin: texts{
				Headline: "Logiciel malveillant détecté par le serveur destinataire[[ {mta}]][[ ({code})]]",
				What: "L'analyseur du serveur destinataire[[ {mta}]] a rejeté le message pour {rcpt} comme " +
					"infecté ou dangereux (signature reconnue, ou type de fichier traité comme malveillant).[[ " +
					"Diagnostic : « {diag} »]]",
				Whose: "Côté expéditeur : le contenu.",
				Steps: []string{
					"Analysez le message exact tel qu'envoyé (par exemple `clamscan message.eml`), et vérifiez " +
						"que l'hôte et le compte d'envoi ne sont pas compromis : un logiciel malveillant sortant " +
						"signale souvent un compte détourné.",
					"S'il s'agit d'un faux positif, signalez-le à l'éditeur de l'antivirus cité dans le " +
						"diagnostic et faites passer le fichier autrement.",
					"Ne renvoyez qu'un contenu sain.",
				},
			},
		},
	},
}
