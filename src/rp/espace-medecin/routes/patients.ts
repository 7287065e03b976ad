import { Hono } from 'hono';
import { type EspaceMedecin, form, noticeOf, text, viewerOf } from '../context.ts';
import { PatientFileNotFound } from '../errors.ts';
import type { FieldProblem } from '../information.ts';
import { newPatientPage, patientListPage, patientPage } from '../pages/patients.ts';
import { isStatus } from '../patients.ts';
import { isDay } from '../time.ts';

/** Patient files: list, create, view, change status; a replacement's actions name both people. */
export function patientRoutes(em: EspaceMedecin): Hono {
  const app = new Hono();

  app.get('/', async (c) => {
    const { account, viewer } = await viewerOf(em, c);
    const files = await em.patients.list(account.id);
    const owners = await em.accounts.byIds([...new Set(files.map((f) => f.owner_id))]);
    return c.html(patientListPage({ viewer, accountId: account.id, files, owners, notice: noticeOf(c) }));
  });

  const ownersOf = async (accountId: string) => {
    const ids = await em.patients.owners(accountId);
    const people = await em.accounts.byIds(ids);
    return ids.flatMap((id) => people.get(id) ?? []);
  };

  app.get('/nouveau', async (c) => {
    const { account, viewer } = await viewerOf(em, c);
    return c.html(newPatientPage({ viewer, accountId: account.id, owners: await ownersOf(account.id) }));
  });

  app.post('/', async (c) => {
    const { session, account, viewer } = await viewerOf(em, c);
    const body = await form(c);
    em.sessions.checkCsrf(session, body);
    const values = {
      nom: text(body.nom).toUpperCase(),
      prenom: text(body.prenom),
      naissance: text(body.naissance),
      titulaire: text(body.titulaire) || account.id,
    };
    const problems: FieldProblem[] = [];
    if (!values.nom || values.nom.length > 100)
      problems.push({ field: 'nom', message: 'Le nom du patient est obligatoire (100 caractères au plus).' });
    if (!values.prenom || values.prenom.length > 100)
      problems.push({
        field: 'prenom',
        message: 'Le prénom du patient est obligatoire (100 caractères au plus).',
      });
    if (!isDay(values.naissance) || values.naissance > em.delegations.today())
      problems.push({
        field: 'naissance',
        message: 'La date de naissance est obligatoire et ne peut pas être future.',
      });
    if (problems.length > 0) {
      return c.html(
        newPatientPage({
          viewer,
          accountId: account.id,
          owners: await ownersOf(account.id),
          values,
          problems,
        }),
        400,
      );
    }
    const file = await em.patients.create({
      actorId: account.id,
      ownerId: values.titulaire,
      familyName: values.nom,
      givenName: values.prenom,
      birthDate: values.naissance,
    });
    await em.audit.record({
      type: 'espace_medecin.patient_file_created',
      outcome: 'success',
      actor: account.idnat,
      subject: file.id,
      ip: em.clientAddress(c),
      details: file.owner_id === account.id ? {} : { onBehalfOf: file.owner_id },
    });
    return c.redirect(`/dossiers/${file.id}?ok=cree`, 303);
  });

  app.get('/:id', async (c) => {
    const { account, viewer } = await viewerOf(em, c);
    const file = await em.patients.open(c.req.param('id'), account.id);
    const activity = await em.patients.activity(file.id);
    const people = await em.accounts.byIds([
      file.owner_id,
      ...activity.flatMap((entry) => [entry.actor_id, entry.on_behalf_of_id]),
    ]);
    const owner = people.get(file.owner_id);
    if (!owner) throw PatientFileNotFound({});
    return c.html(
      patientPage({ viewer, file, owner, accountId: account.id, activity, people, notice: noticeOf(c) }),
    );
  });

  app.post('/:id/statut', async (c) => {
    const { session, account } = await viewerOf(em, c);
    const body = await form(c);
    em.sessions.checkCsrf(session, body);
    const status = text(body.statut);
    if (!isStatus(status)) throw PatientFileNotFound({});
    const file = await em.patients.setStatus(c.req.param('id'), account.id, status);
    await em.audit.record({
      type: 'espace_medecin.patient_file_status',
      outcome: 'success',
      actor: account.idnat,
      subject: file.id,
      ip: em.clientAddress(c),
      details: { status, ...(file.owner_id === account.id ? {} : { onBehalfOf: file.owner_id }) },
    });
    return c.redirect(`/dossiers/${file.id}?ok=statut`, 303);
  });

  return app;
}
